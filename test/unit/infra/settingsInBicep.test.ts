import { describe, expect, it } from 'vitest';
import { readMarkerBlock, SETTING_KEYS, settingsCatalog, tableCells } from '../../../src/config/index.js';
import { appSettings, filesUnder, objectVar, params, read } from './bicepReader.js';

const FUNCTION_APP = 'infra/modules/functionApp.bicep';
const MAIN = 'infra/main.bicep';
// Read by the Functions host or by Node itself, not by src/config.
const HOST_SETTINGS = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'NODE_OPTIONS',
];
// Flex Consumption refuses these app settings (they belong to the older plans).
const FLEX_REJECTED = [
  'FUNCTIONS_WORKER_RUNTIME',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTSHARE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'SCM_DO_BUILD_DURING_DEPLOYMENT',
  'WEBSITE_TIME_ZONE',
];
const KEY_VAULT_REFERENCE = /^'@Microsoft\.KeyVault\(SecretUri=\$\{[\w.]+\}\)'$/;

const settings = appSettings(read(FUNCTION_APP));
const bicepNames = settings.map((setting) => setting.name);
const settingValue = (name: string) => settings.find((setting) => setting.name === name)?.value;
const catalogEntry = (key: string) => settingsCatalog.find((entry) => entry.key === key);
const readmeRows = tableCells(readMarkerBlock(read('README.md')) ?? '').slice(2);
const optionalInReadme = new Set(
  readmeRows
    .filter((row) => row[1] === 'no' || row[1] === 'conditional')
    .map((row) => (row[0] ?? '').replaceAll('`', '')),
);

describe('the Bicep app settings', () => {
  it('are found by the reader', () => {
    expect(settings.length).toBeGreaterThan(30);
  });

  it("size Node's heap to the instance, as the benchmarks run the worker (bench/worker.ts)", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Bicep interpolation, read as text
    expect(settingValue('NODE_OPTIONS')).toBe("'--max-old-space-size=${instanceMemoryMB / 2}'");
    const smallest = /@allowed\(\[(\d+),/.exec(read(FUNCTION_APP))?.[1];
    expect(smallest).toBe('512');
    expect(read('bench/tenantStack.ts')).toContain(`SMALL_INSTANCE_HEAP_MB = ${Number(smallest) / 2};`);
  });

  it('set every setting of the schema, or leave out only settings the README lists as optional', () => {
    const missing = SETTING_KEYS.filter((key) => !bicepNames.includes(key));
    const notOptional = missing.filter(
      (key) => !optionalInReadme.has(key) || catalogEntry(key)?.requirement === 'required',
    );

    expect(notOptional).toEqual([]);
  });

  it('leave out only the app-registration credentials, the derived lifecycle URL and the storage connection string', () => {
    const missing = SETTING_KEYS.filter((key) => !bicepNames.includes(key));

    expect(missing).toEqual([
      'GRAPH_CLIENT_ID',
      'GRAPH_CLIENT_SECRET',
      'LIFECYCLE_NOTIFICATION_URL',
      'AzureWebJobsStorage',
    ]);
  });

  it('name only settings of the schema and the host telemetry settings, each once', () => {
    const unknown = bicepNames.filter(
      (name) => !(SETTING_KEYS as readonly string[]).includes(name) && !HOST_SETTINGS.includes(name),
    );

    expect(unknown).toEqual([]);
    expect(new Set(bicepNames).size).toBe(bicepNames.length);
  });

  it('never use a setting Flex Consumption rejects, anywhere in infra/ or azure.yaml', () => {
    const files = [...filesUnder('infra'), 'azure.yaml'];
    const hits = files.flatMap((file) =>
      FLEX_REJECTED.filter((name) => read(file).includes(name)).map((name) => `${file}: ${name}`),
    );

    expect(hits).toEqual([]);
  });

  it('take every secret, and the notification URL with its key, from a Key Vault reference', () => {
    const secretKeys = [
      ...settingsCatalog.filter((entry) => entry.secret).map((entry) => entry.key),
      'NOTIFICATION_URL',
    ].filter((key) => bicepNames.includes(key));

    expect(secretKeys).toEqual(
      expect.arrayContaining([
        'GRAPH_CLIENT_STATE',
        'GRAPH_CLIENT_STATE_PREVIOUS',
        'GOGS_TOKEN',
        'NOTIFICATION_URL',
      ]),
    );
    for (const key of secretKeys) expect(settingValue(key), key).toMatch(KEY_VAULT_REFERENCE);
  });

  it('use the identity form of host storage with the app identity', () => {
    expect(settingValue('AzureWebJobsStorage__credential')).toBe("'managedidentity'");
    expect(settingValue('AzureWebJobsStorage__clientId')).toBe('identityClientId');
    expect(settingValue('AZURE_CLIENT_ID')).toBe('identityClientId');
    expect(settingValue('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toMatch(
      /^'ClientId=\$\{identityClientId\};Authorization=AAD'$/,
    );
  });

  it('default to the schema defaults (an empty Bicep default means unset)', () => {
    const mainParams = new Map(params(read(MAIN)).map((param) => [param.name, param]));
    const fromMain = objectVar(read(MAIN), 'settings');
    const mismatches: string[] = [];
    for (const [key, expression] of fromMain) {
      const name = /^(?:string\()?(\w+)\)?$/.exec(expression)?.[1];
      const param = name ? mainParams.get(name) : undefined;
      const entry = catalogEntry(key);
      if (!param || !entry || param.defaultValue === undefined) continue;
      const bicepDefault = param.defaultValue.replace(/^'(.*)'$/, '$1');
      const schemaDefault = entry.default ?? (entry.requirement === 'required' ? undefined : '');
      if (bicepDefault !== schemaDefault)
        mismatches.push(`${key}: bicep ${bicepDefault}, schema ${schemaDefault}`);
    }

    expect(fromMain.size).toBeGreaterThan(20);
    expect(mismatches).toEqual([]);
  });

  it('pass every non-secret setting of main.bicep through to the function app', () => {
    const fromMain = [...objectVar(read(MAIN), 'settings').keys()];

    for (const key of fromMain) expect(settingValue(key), key).toBe(`settings.${key}`);
  });
});

describe('secrets in infra/', () => {
  it('are @secure() parameters without a literal default', () => {
    const secureParams = filesUnder('infra')
      .filter((file) => file.endsWith('.bicep'))
      .flatMap((file) => params(read(file)).filter((param) => param.secure));

    expect(secureParams.map((param) => param.name)).toEqual(
      expect.arrayContaining([
        'gogsToken',
        'graphClientState',
        'graphClientStatePrevious',
        'notificationUrl',
      ]),
    );
    for (const param of secureParams) expect([undefined, "''"], param.name).toContain(param.defaultValue);
  });

  it('never appear as account keys, SAS tokens or instrumentation keys', () => {
    const offending = filesUnder('infra').filter((file) =>
      /AccountKey=|SharedAccessSignature|listKeys\(|InstrumentationKey=/.test(read(file)),
    );

    expect(offending).toEqual([]);
  });

  it('have no values in main.parameters.json, only environment references', () => {
    const parameters = JSON.parse(read('infra/main.parameters.json')).parameters as Record<
      string,
      { value: unknown }
    >;
    const literal = Object.entries(parameters).filter(
      ([, { value }]) => typeof value !== 'string' || !/^\$\{[A-Z_][A-Z0-9_]*(=[^}]*)?\}$/.test(value),
    );

    expect(literal).toEqual([]);
  });
});
