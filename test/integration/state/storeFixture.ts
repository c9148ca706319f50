import { randomBytes } from 'node:crypto';
import type { StorageConfig } from '../../../src/config/index.js';
import { Secret } from '../../../src/config/index.js';
import { prefixedStorageNames, StorageClients } from '../../../src/state/index.js';

export function connectionStorage(connectionString: string): StorageConfig {
  return { kind: 'connectionString', connectionString: new Secret(connectionString), development: false };
}

/** A unique name prefix, so every test gets its own tables and queues in the shared Azurite. */
export function uniquePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}

/** Clients over freshly created, isolated tables, queues and container. */
export async function freshClients(connectionString: string): Promise<StorageClients> {
  const clients = new StorageClients(connectionStorage(connectionString), {
    names: prefixedStorageNames(uniquePrefix()),
  });
  await clients.ensure();
  return clients;
}

/** Polls until `probe` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function guid(): string {
  const hex = randomBytes(16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
