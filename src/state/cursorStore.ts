import type { TableClient } from '@azure/data-tables';
import { readEntity, replaceEntity, safeKey, statusOf, storageCall } from './tableSupport.js';

/** A delta cursor: the `@odata.deltaLink` to resume `users/delta` or `groups/delta` from. */
export interface Cursor {
  resource: string;
  deltaLink: string;
  updatedAt: number;
  /** Pass back to `put` so a concurrent catch-up can't overwrite a newer cursor. */
  etag: string;
}

interface CursorRow {
  deltaLink: string;
  updatedAt: number;
}

const PARTITION = 'cursor';

/** The `cursors` table (DESIGN §3.3): one row per delta resource, written with ETags. */
export class CursorStore {
  constructor(private readonly client: TableClient) {}

  async get(resource: string): Promise<Cursor | undefined> {
    const row = await readEntity<CursorRow>(this.client, PARTITION, safeKey(resource));
    return row && { resource, deltaLink: row.deltaLink, updatedAt: row.updatedAt, etag: row.etag ?? '*' };
  }

  /**
   * Stores a cursor. With `etag` (from `get`) the write fails with a retryable
   * `ConcurrencyError` if the cursor moved meanwhile; without it, it creates or overwrites.
   * Returns the new ETag.
   */
  async put(resource: string, deltaLink: string, at: number, etag?: string): Promise<string> {
    const entity = { partitionKey: PARTITION, rowKey: safeKey(resource), deltaLink, updatedAt: at };
    return replaceEntity(this.client, entity, etag, `cursor ${resource}`);
  }

  /** Forgets a cursor (an expired one: the next catch-up restarts from `$deltatoken=latest`). */
  async remove(resource: string): Promise<void> {
    await storageCall(`removing cursor ${resource}`, async () => {
      try {
        await this.client.deleteEntity(PARTITION, safeKey(resource));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
}
