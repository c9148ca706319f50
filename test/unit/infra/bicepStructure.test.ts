import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bicepFiles,
  filesUnder,
  modules,
  objectVar,
  params,
  read,
  resolveModule,
  root,
  stripComments,
} from './bicepReader.js';

const MAIN = 'infra/main.bicep';
const PINNED_AVM = /^br\/public:avm\/(res|ptn|utl)\/[a-z0-9-]+(\/[a-z0-9-]+)+:\d+\.\d+\.\d+$/;
// Built-in Azure role definitions the deployment grants (Azure built-in roles reference).
const BUILT_IN_ROLES: Record<string, string> = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
};

const uses = bicepFiles().flatMap((file) => modules(read(file)).map((use) => ({ file, ...use })));
const localUses = uses.filter((use) => !use.path.startsWith('br'));

describe('the Bicep modules', () => {
  it('are all reachable from main.bicep', () => {
    const referenced = new Set(localUses.map((use) => resolveModule(use.file, use.path)));
    const moduleFiles = bicepFiles().filter((file) => file !== MAIN);

    expect(moduleFiles.filter((file) => !referenced.has(file))).toEqual([]);
  });

  it('resolve every local `module x path` to a file', () => {
    expect(localUses.length).toBeGreaterThanOrEqual(9);
    for (const use of localUses) {
      expect(existsSync(join(root, resolveModule(use.file, use.path))), `${use.file}: ${use.path}`).toBe(
        true,
      );
    }
  });

  it('pass only declared parameters, and every parameter without a default', () => {
    for (const use of localUses) {
      const declared = params(read(resolveModule(use.file, use.path)));
      const names = declared.map((param) => param.name);
      const required = declared
        .filter((param) => param.defaultValue === undefined)
        .map((param) => param.name);

      expect(
        use.paramKeys.filter((key) => !names.includes(key)),
        `${use.symbol} passes unknown params`,
      ).toEqual([]);
      expect(
        required.filter((name) => !use.paramKeys.includes(name)),
        `${use.symbol} misses params`,
      ).toEqual([]);
    }
  });

  it('pin every registry module to an exact AVM version', () => {
    const registry = uses.filter((use) => use.path.startsWith('br'));

    expect(registry.length).toBeGreaterThanOrEqual(10);
    for (const use of registry) expect(use.path, use.file).toMatch(PINNED_AVM);
  });

  it('say at the top whether they use AVM or raw resources', () => {
    for (const file of bicepFiles().filter((path) => path.startsWith('infra/modules/'))) {
      const header = read(file).split('\n').slice(0, 12).join('\n');
      expect(header, file).toMatch(/AVM|Raw|raw/);
    }
  });

  it('pin the Microsoft Graph extension the Graph module declares', () => {
    const config = JSON.parse(read('infra/bicepconfig.json')) as { extensions: Record<string, string> };

    expect(stripComments(read('infra/modules/graphPermissions.bicep'))).toMatch(
      /^extension microsoftGraphV1$/m,
    );
    expect(config.extensions.microsoftGraphV1).toMatch(
      /^br:mcr\.microsoft\.com\/bicep\/extensions\/microsoftgraph\/v1\.0:\d+\.\d+\.\d+$/,
    );
  });

  it('grant the built-in roles they name', () => {
    const roles = objectVar(read('infra/modules/roleAssignments.bicep'), 'roles');

    expect(Object.fromEntries([...roles].map(([name, id]) => [name, id.replaceAll("'", '')]))).toEqual(
      BUILT_IN_ROLES,
    );
  });
});

describe('main.bicep and main.parameters.json', () => {
  const mainParams = params(read(MAIN));
  const parameters = JSON.parse(read('infra/main.parameters.json')).parameters as Record<
    string,
    { value: string }
  >;

  it('deploy at subscription scope into one resource group, as azd expects', () => {
    expect(stripComments(read(MAIN))).toMatch(/^targetScope = 'subscription'$/m);
    for (const use of modules(read(MAIN))) expect(read(MAIN)).toMatch(new RegExp(`module ${use.symbol} `));
  });

  it('use only parameters main.bicep declares', () => {
    const names = mainParams.map((param) => param.name);

    expect(Object.keys(parameters).filter((name) => !names.includes(name))).toEqual([]);
  });

  it('supply every parameter without a default but the mapping, which azd prompts for', () => {
    const required = mainParams
      .filter((param) => param.defaultValue === undefined)
      .map((param) => param.name);

    expect(required.filter((name) => !(name in parameters))).toEqual(['syncMapping']);
  });

  it('take the environment name and region from azd', () => {
    expect(parameters.environmentName?.value).toMatch(/^\$\{AZURE_ENV_NAME\}$/);
    expect(parameters.location?.value).toMatch(/^\$\{AZURE_LOCATION\}$/);
  });
});

describe('azure.yaml', () => {
  const yaml = read('azure.yaml');

  it('names the function service built from this folder', () => {
    const service = /^services:\n {2}api:\n((?: {4}.*\n|\s*\n)+)/m.exec(yaml)?.[1] ?? '';

    expect(service).toMatch(/^ {4}project: \.$/m);
    expect(service).toMatch(/^ {4}language: ts$/m);
    expect(service).toMatch(/^ {4}host: function$/m);
  });

  it('runs hook scripts that exist, for POSIX and Windows', () => {
    const scripts = [...yaml.matchAll(/run: (\.\/infra\/hooks\/\S+)/g)].map((match) => match[1] ?? '');

    expect(scripts).toEqual(['./infra/hooks/postdeploy.sh', './infra/hooks/postdeploy.ps1']);
    for (const script of scripts) expect(existsSync(join(root, script)), script).toBe(true);
    expect(statSync(join(root, 'infra/hooks/postdeploy.sh')).mode & 0o111).not.toBe(0);
  });

  it('subscribes through the app admin API, never through Graph directly', () => {
    for (const hook of filesUnder('infra/hooks')) {
      const script = read(hook);
      expect(script, hook).toContain('/api/subscriptions/ensure');
      expect(script, hook).not.toMatch(/graph\.microsoft\.com/);
    }
  });
});

describe('the alerts', () => {
  it('query only log events that docs/operations.md documents', () => {
    const alerts = stripComments(read('infra/modules/alerts.bicep'));
    const events = [
      ...new Set([...alerts.matchAll(/events\("(sync\.\w+)"\)/g)].map((match) => match[1] ?? '')),
    ];
    const operations = read('docs/operations.md');

    expect(events.length).toBeGreaterThanOrEqual(6);
    for (const event of events) expect(operations, event).toContain(`\`${event}\``);
  });
});
