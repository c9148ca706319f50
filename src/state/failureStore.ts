import type { TableClient } from '@azure/data-tables';
import { readPartition, safeKey, statusOf, storageCall } from './tableSupport.js';

/** A permanent failure (e.g. a Gogs 422) that `status` shows until the action succeeds. */
export interface FailureRecord {
  /** The action id (`actionId()`): one row per failing action. */
  id: string;
  objectId?: string;
  username?: string;
  kind: string;
  message: string;
  at: number;
  /** Cause type and id, e.g. `reconcile:20261126T…`. */
  cause?: string;
}

const PARTITION = 'failure';

/** The `failures` table: permanent failures per object, cleared when the action later succeeds. */
export class FailureStore {
  constructor(private readonly client: TableClient) {}

  async record(failure: FailureRecord): Promise<void> {
    const entity = { partitionKey: PARTITION, rowKey: safeKey(failure.id), ...failure };
    await storageCall(`recording failure ${failure.id}`, () => this.client.upsertEntity(entity, 'Replace'));
  }

  /** Newest first. */
  async list(): Promise<FailureRecord[]> {
    const rows = await readPartition<FailureRecord>(this.client, PARTITION);
    return rows.map(toRecord).sort((a, b) => b.at - a.at);
  }

  async forObject(objectId: string): Promise<FailureRecord[]> {
    return (await this.list()).filter((failure) => failure.objectId === objectId);
  }

  async clear(id: string): Promise<void> {
    await storageCall(`clearing failure ${id}`, async () => {
      try {
        await this.client.deleteEntity(PARTITION, safeKey(id));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
}

function toRecord(row: FailureRecord): FailureRecord {
  return {
    id: row.id,
    kind: row.kind,
    message: row.message,
    at: row.at,
    ...(row.objectId === undefined ? {} : { objectId: row.objectId }),
    ...(row.username === undefined ? {} : { username: row.username }),
    ...(row.cause === undefined ? {} : { cause: row.cause }),
  };
}
