import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { StorageConfig } from '../config/index.js';
import { StorageSetupError } from './errors.js';
import { STORAGE_NAMES, type StorageNames, type TableName } from './names.js';
import { storageCall } from './tableSupport.js';

export interface StorageClientOptions {
  /** Table, queue and container names; `prefixedStorageNames()` isolates tests. */
  names?: StorageNames;
  /** Replaces the credential built from the identity form (tests, or a shared credential). */
  credential?: TokenCredential;
}

type Factory =
  | { kind: 'connectionString'; connectionString: string; tableOptions: TableServiceClientOptions }
  | { kind: 'identity'; tableServiceUri: string; credential: TokenCredential };

/**
 * The Table, Queue and Blob clients of one storage account, built once per cold start from
 * `AzureWebJobsStorage` in either form (DESIGN §5). `ensure()` creates every table, queue and
 * container the app uses, once per instance.
 */
export class StorageClients {
  readonly tableService: TableServiceClient;
  readonly queueService: QueueServiceClient;
  readonly blobService: BlobServiceClient;
  readonly names: StorageNames;
  /** Where each service lives, for `status` and diagnostics; never holds a key. */
  readonly endpoints: { table: string; queue: string; blob: string };
  readonly #factory: Factory;
  readonly #tables = new Map<string, TableClient>();
  #ensured: Promise<void> | undefined;

  constructor(storage: StorageConfig, options: StorageClientOptions = {}) {
    this.names = options.names ?? STORAGE_NAMES;
    try {
      if (storage.kind === 'connectionString') {
        const connectionString = storage.connectionString.reveal();
        // Azurite serves plain http; the Tables SDK refuses it unless told (spec/tooling.md §3).
        const tableOptions = { allowInsecureConnection: usesHttp(connectionString) };
        this.#factory = { kind: 'connectionString', connectionString, tableOptions };
        this.tableService = TableServiceClient.fromConnectionString(connectionString, tableOptions);
        this.queueService = QueueServiceClient.fromConnectionString(connectionString);
        this.blobService = BlobServiceClient.fromConnectionString(connectionString);
      } else {
        const credential = options.credential ?? identityCredential(storage);
        const tableServiceUri = trimSlash(storage.tableServiceUri);
        this.#factory = { kind: 'identity', tableServiceUri, credential };
        this.tableService = new TableServiceClient(tableServiceUri, credential);
        this.queueService = new QueueServiceClient(trimSlash(storage.queueServiceUri), credential);
        this.blobService = new BlobServiceClient(trimSlash(storage.blobServiceUri), credential);
      }
    } catch {
      // The SDK's message may quote the connection string, so neither it nor the cause is kept.
      throw new StorageSetupError(
        `could not build storage clients from AzureWebJobsStorage (${storage.kind} form); check its endpoints`,
      );
    }
    this.endpoints = {
      table: this.tableService.url,
      queue: this.queueService.url,
      blob: this.blobService.url,
    };
  }

  table(name: TableName): TableClient {
    const tableName = this.names.tables[name];
    let client = this.#tables.get(tableName);
    if (!client) {
      const factory = this.#factory;
      client =
        factory.kind === 'connectionString'
          ? TableClient.fromConnectionString(factory.connectionString, tableName, factory.tableOptions)
          : new TableClient(factory.tableServiceUri, tableName, factory.credential);
      this.#tables.set(tableName, client);
    }
    return client;
  }

  queue(name: keyof StorageNames['queues']): QueueClient {
    return this.queueService.getQueueClient(this.names.queues[name]);
  }

  container(name: keyof StorageNames['containers']): ContainerClient {
    return this.blobService.getContainerClient(this.names.containers[name]);
  }

  /** Creates what is missing; idempotent, and shared by concurrent callers. A failure is retried next call. */
  ensure(): Promise<void> {
    if (!this.#ensured) {
      this.#ensured = this.#create().catch((error: unknown) => {
        this.#ensured = undefined;
        throw error;
      });
    }
    return this.#ensured;
  }

  async #create(): Promise<void> {
    const tables = Object.keys(this.names.tables) as TableName[];
    await Promise.all([
      // createTable ignores TableAlreadyExists.
      ...tables.map((name) => storageCall(`creating table ${name}`, () => this.table(name).createTable())),
      ...(['changes', 'poison'] as const).map((name) =>
        storageCall(`creating queue ${this.names.queues[name]}`, () => this.queue(name).createIfNotExists()),
      ),
      storageCall('creating the audit container', () => this.container('audit').createIfNotExists()),
    ]);
  }
}

function identityCredential(storage: Extract<StorageConfig, { kind: 'identity' }>): TokenCredential {
  if (storage.credential === 'managedIdentity') {
    return storage.clientId
      ? new ManagedIdentityCredential({ clientId: storage.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(storage.clientId ? { managedIdentityClientId: storage.clientId } : {});
}

function usesHttp(connectionString: string): boolean {
  const parts = new Map(
    connectionString
      .split(';')
      .map((part) => part.split('='))
      .map(([name, ...value]) => [name?.trim().toLowerCase() ?? '', value.join('=').trim()]),
  );
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') return true;
  const endpoint = parts.get('tableendpoint');
  if (endpoint) return endpoint.toLowerCase().startsWith('http:');
  return parts.get('defaultendpointsprotocol')?.toLowerCase() === 'http';
}

function trimSlash(uri: string): string {
  return uri.replace(/\/+$/, '');
}
