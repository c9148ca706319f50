import { setTimeout as sleep } from 'node:timers/promises';
import type { TableClient, TableEntityResult } from '@azure/data-tables';
import { ConcurrencyError, StateStoreError } from './errors.js';

/** The HTTP status of an Azure SDK error (RestError), if it has one. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The service error code (`TableAlreadyExists`, `PopReceiptMismatch`, …), if any. */
export function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTyped(error: unknown): boolean {
  return error instanceof Error && 'retryable' in error && typeof error.retryable === 'boolean';
}

/** Network errors carry no status; 408, 429 and 5xx are transient; any other status is not. */
export function isTransientStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * Runs one storage call and turns an SDK failure into a `StateStoreError` with the right
 * `retryable` flag, so the worker's retry policy works on it. Typed errors pass through.
 */
export async function storageCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isTyped(error)) throw error;
    const status = statusOf(error);
    const code = codeOf(error);
    const detail = [status, code].filter((part) => part !== undefined).join(' ');
    throw new StateStoreError(`${what} failed${detail ? ` (${detail})` : ''}`, {
      ...(status === undefined ? {} : { status }),
      retryable: isTransientStatus(status),
      cause: error,
    });
  }
}

/** Characters Table storage refuses in keys (and `%`, the escape itself) are percent-encoded. */
export function safeKey(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are forbidden in keys
  return text.replace(/[%/\\#?\u0000-\u001f\u007f-\u009f]/g, (char) => {
    return `%${char.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`;
  });
}

export function unsafeKey(key: string): string {
  return key.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

/** One entity with its ETag, or undefined when it does not exist. */
export async function readEntity<T extends object>(
  client: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<TableEntityResult<T> | undefined> {
  return storageCall(`reading ${client.tableName}/${partitionKey}/${rowKey}`, async () => {
    try {
      return await client.getEntity<T>(partitionKey, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  });
}

/** Every entity of one partition (the SDK pages through continuation tokens). */
export async function readPartition<T extends object>(
  client: TableClient,
  partitionKey: string,
  extraFilter?: string,
): Promise<TableEntityResult<T>[]> {
  const filter = `PartitionKey eq '${escapeOdata(partitionKey)}'${extraFilter ? ` and (${extraFilter})` : ''}`;
  return storageCall(`listing ${client.tableName}/${partitionKey}`, async () => {
    const rows: TableEntityResult<T>[] = [];
    for await (const row of client.listEntities<T>({ queryOptions: { filter } })) rows.push(row);
    return rows;
  });
}

export function escapeOdata(text: string): string {
  return text.replaceAll("'", "''");
}

export interface ConflictRetryOptions {
  /** Attempts before giving up with a retryable `ConcurrencyError`. */
  attempts?: number;
  /** First backoff; it doubles per attempt, with full jitter, up to 500 ms. */
  baseDelayMs?: number;
}

/**
 * Optimistic concurrency (DESIGN §4): `attempt` reads, decides and writes with the ETag it read
 * (or creates); a 412 (stale ETag) or 409 (created meanwhile) means another writer won, so read
 * again and retry.
 */
export async function retryOnConflict<T>(
  what: string,
  attempt: () => Promise<T>,
  options: ConflictRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 40;
  const base = options.baseDelayMs ?? 10;
  for (let round = 0; ; round++) {
    try {
      return await storageCall(what, attempt);
    } catch (error) {
      const status = error instanceof StateStoreError ? error.status : undefined;
      if (status !== 412 && status !== 409) throw error;
      if (round + 1 >= attempts) {
        throw new ConcurrencyError(`${what}: lost ${attempts} optimistic-concurrency races in a row`, {
          cause: error,
        });
      }
      await sleep(Math.random() * Math.min(500, base * 2 ** round));
    }
  }
}

/**
 * Writes a whole row: with `etag` only if the row is still the one read (a retryable
 * `ConcurrencyError` otherwise), without it creating or overwriting. Returns the new ETag.
 */
export async function replaceEntity(
  client: TableClient,
  entity: { partitionKey: string; rowKey: string } & Record<string, unknown>,
  etag: string | undefined,
  what: string,
): Promise<string> {
  return storageCall(`writing ${what}`, async () => {
    try {
      const response = etag
        ? await client.updateEntity(entity, 'Replace', { etag })
        : await client.upsertEntity(entity, 'Replace');
      return response.etag ?? '*';
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) {
        throw new ConcurrencyError(`${what} changed since it was read`, { cause: error });
      }
      throw error;
    }
  });
}
