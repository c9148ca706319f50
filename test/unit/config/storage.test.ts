import { describe, expect, it } from 'vitest';
import { loadConfig, safeLoadConfig } from '../../../src/config/index.js';
import { APP, anEnv } from './anEnv.js';

const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const identity = {
  AzureWebJobsStorage: undefined,
  AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.windows.net/',
  AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
  AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
};

function storageIssues(overrides: Record<string, string | undefined>) {
  const result = safeLoadConfig(anEnv(overrides));
  return result.ok ? [] : result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

describe('AzureWebJobsStorage connection string', () => {
  it.each([
    ['UseDevelopmentStorage=true', true],
    ['usedevelopmentstorage=TRUE;', true],
    [
      `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${AZURITE_KEY};EndpointSuffix=core.windows.net`,
      false,
    ],
    [
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};` +
        'QueueEndpoint=http://127.0.0.1:41001/devstoreaccount1;TableEndpoint=http://127.0.0.1:41002/devstoreaccount1;' +
        'BlobEndpoint=http://127.0.0.1:41000/devstoreaccount1',
      false,
    ],
    ['AccountName=acct;SharedAccessSignature=sv=2024&sig=abc', false],
  ])('accepts a connection string (%#)', (connectionString, development) => {
    const { storage } = loadConfig(anEnv({ AzureWebJobsStorage: connectionString }));

    expect(storage).toMatchObject({ kind: 'connectionString', development });
    expect(storage.kind === 'connectionString' && storage.connectionString.reveal()).toBe(
      connectionString.trim(),
    );
  });

  it.each(
    [
      ['AccountName=acct', 'AccountKey (or SharedAccessSignature) is missing'],
      [`AccountKey=${AZURITE_KEY}`, 'AccountName is missing'],
      [`AccountName=a;AccountKey=${AZURITE_KEY};Protocol=https`, 'part 3 has an unknown name'],
      [`AccountName=a;AccountName=b;AccountKey=${AZURITE_KEY}`, 'AccountName appears twice'],
      ['just-a-value', 'part 1 is not Name=value'],
      [
        `DefaultEndpointsProtocol=ftp;AccountName=a;AccountKey=${AZURITE_KEY}`,
        'DefaultEndpointsProtocol must be https or http',
      ],
      [
        `DefaultEndpointsProtocol=http;AccountName=a;AccountKey=${AZURITE_KEY}`,
        'DefaultEndpointsProtocol=http needs explicit loopback endpoints',
      ],
      [
        `AccountName=a;AccountKey=${AZURITE_KEY};QueueEndpoint=http://storage.example.com/a`,
        'QueueEndpoint must use https',
      ],
    ].map(([connectionString, reason]) => [reason, connectionString] as const),
  )('refuses a connection string: %s', (reason, connectionString) => {
    const issues = storageIssues({ AzureWebJobsStorage: connectionString });

    expect(issues).toEqual([
      expect.stringContaining(`AzureWebJobsStorage: is not a storage connection string: ${reason}`),
    ]);
    expect(issues.join()).not.toContain(AZURITE_KEY);
  });
});

describe('AzureWebJobsStorage identity form', () => {
  it('reads the default credential chain', () => {
    expect(loadConfig(anEnv(identity)).storage).toEqual({
      kind: 'identity',
      queueServiceUri: 'https://acct.queue.core.windows.net',
      tableServiceUri: 'https://acct.table.core.windows.net',
      blobServiceUri: 'https://acct.blob.core.windows.net',
      credential: 'default',
    });
  });

  it('reads a user-assigned managed identity', () => {
    const env = anEnv({
      ...identity,
      AzureWebJobsStorage__credential: 'ManagedIdentity',
      AzureWebJobsStorage__clientId: APP.toUpperCase(),
    });

    expect(loadConfig(env).storage).toMatchObject({
      kind: 'identity',
      credential: 'managedIdentity',
      clientId: APP,
    });
  });

  it('accepts Azurite on loopback over http', () => {
    const env = anEnv({
      ...identity,
      AzureWebJobsStorage__queueServiceUri: 'http://127.0.0.1:10001/devstoreaccount1',
    });

    expect(loadConfig(env).storage).toMatchObject({
      queueServiceUri: 'http://127.0.0.1:10001/devstoreaccount1',
    });
  });
});

describe('exactly one storage form', () => {
  it('refuses both forms at once', () => {
    expect(storageIssues({ ...identity, AzureWebJobsStorage: 'UseDevelopmentStorage=true' })).toEqual([
      'AzureWebJobsStorage: is set together with AzureWebJobsStorage__queueServiceUri, ' +
        'AzureWebJobsStorage__tableServiceUri, AzureWebJobsStorage__blobServiceUri; use exactly one of the two forms',
    ]);
  });

  it('refuses a connection string with only a stray identity key', () => {
    expect(storageIssues({ AzureWebJobsStorage__credential: 'managedidentity' })).toEqual([
      expect.stringContaining('AzureWebJobsStorage: is set together with AzureWebJobsStorage__credential'),
    ]);
  });

  it('refuses neither form', () => {
    expect(storageIssues({ AzureWebJobsStorage: '' })).toEqual([
      expect.stringMatching(/^AzureWebJobsStorage: is required: a connection string, or the identity form/),
    ]);
  });

  it('names every missing key of a partial identity form', () => {
    const issues = storageIssues({
      AzureWebJobsStorage: undefined,
      AzureWebJobsStorage__queueServiceUri: identity.AzureWebJobsStorage__queueServiceUri,
      AzureWebJobsStorage__credential: 'managedidentity',
    });

    expect(issues).toEqual([
      expect.stringMatching(/^AzureWebJobsStorage__tableServiceUri: is required by the identity form/),
      expect.stringMatching(/^AzureWebJobsStorage__blobServiceUri: is required by the identity form/),
    ]);
  });
});
