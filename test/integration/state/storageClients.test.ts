import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import {
  prefixedStorageNames,
  STORAGE_NAMES,
  StorageClients,
  StorageSetupError,
} from '../../../src/state/index.js';
import { DEV_ACCOUNT_KEY, type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { connectionStorage, uniquePrefix } from './storeFixture.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

describe('StorageClients', () => {
  it('builds identity-form clients on the configured service URIs without touching the network', () => {
    for (const credential of ['managedIdentity', 'default'] as const) {
      const clients = new StorageClients({
        kind: 'identity',
        queueServiceUri: 'https://acct.queue.core.windows.net/',
        tableServiceUri: 'https://acct.table.core.windows.net',
        blobServiceUri: 'https://acct.blob.core.windows.net/',
        credential,
        clientId: '00000000-0000-4000-8000-000000000001',
      });

      expect(clients.endpoints).toEqual({
        table: 'https://acct.table.core.windows.net',
        queue: 'https://acct.queue.core.windows.net',
        blob: 'https://acct.blob.core.windows.net/',
      });
      expect(clients.table('identities').url).toBe('https://acct.table.core.windows.net');
      expect(clients.table('identities').tableName).toBe('identities');
      expect(clients.queue('changes').url).toBe('https://acct.queue.core.windows.net/graph-changes');
      expect(clients.queue('poison').url).toBe('https://acct.queue.core.windows.net/graph-changes-poison');
      expect(clients.container('audit').url).toBe('https://acct.blob.core.windows.net/audit');
    }
  });

  it('builds clients from UseDevelopmentStorage=true on Azurite’s default ports', () => {
    const clients = new StorageClients({
      kind: 'connectionString',
      connectionString: new Secret('UseDevelopmentStorage=true'),
      development: true,
    });

    expect(clients.endpoints.blob).toMatch(/^http:\/\/127\.0\.0\.1:10000\/devstoreaccount1\/?$/);
    expect(clients.endpoints.queue).toMatch(/^http:\/\/127\.0\.0\.1:10001\/devstoreaccount1\/?$/);
    expect(clients.endpoints.table).toMatch(/^http:\/\/127\.0\.0\.1:10002\/devstoreaccount1\/?$/);
  });

  it('creates every table, queue and container once, idempotently', async () => {
    const names = prefixedStorageNames(uniquePrefix());
    const first = new StorageClients(connectionStorage(azurite.connectionString), { names });

    await Promise.all([first.ensure(), first.ensure()]);
    await new StorageClients(connectionStorage(azurite.connectionString), { names }).ensure();

    const tables: string[] = [];
    for await (const table of first.tableService.listTables()) if (table.name) tables.push(table.name);
    expect(tables.filter((name) => name.startsWith(names.tables.audit.replace('audit', '')))).toHaveLength(
      Object.keys(STORAGE_NAMES.tables).length,
    );
    expect(await first.queue('changes').exists()).toBe(true);
    expect(await first.queue('poison').exists()).toBe(true);
    expect(await first.container('audit').exists()).toBe(true);
  });

  it('never puts the account key in its errors', () => {
    const broken = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${DEV_ACCOUNT_KEY};TableEndpoint=::nonsense`;

    const error = (() => {
      try {
        return new StorageClients(connectionStorage(broken));
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(StorageSetupError);
    expect(String((error as Error).message)).not.toContain(DEV_ACCOUNT_KEY);
    expect((error as Error).cause).toBeUndefined();
  });
});
