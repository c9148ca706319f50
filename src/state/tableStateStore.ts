import type { IdentityRecord, IdentityStatus, ObjectId, ObjectKey } from '../domain/types.js';
import type { HeldAction, SyncState } from '../sync/ports.js';
import { IdentityConflictError } from './errors.js';
import { HeldActions, type HeldRecord, type HeldStatus } from './heldActions.js';
import type { StorageClients } from './storageClients.js';
import { TableBudget } from './tableBudget.js';
import { type LeaseOptions, TableLeases } from './tableLeases.js';
import { readEntity, readPartition, retryOnConflict, safeKey } from './tableSupport.js';

interface IdentityRow {
  objectId: string;
  username: string;
  status: IdentityStatus;
  /** JSON of `Partial<HiddenFields>`: what the bridge last wrote of the fields Gogs hides. */
  written: string;
  adopted?: boolean;
  pending?: 'reserved' | 'refused';
}

interface EventRow {
  at: number;
}

const IDENTITY = 'identity';

export interface TableStateStoreOptions {
  lease?: LeaseOptions;
}

/**
 * `SyncState` on Azure Tables (DESIGN §4), with the semantics of `InMemorySyncState`:
 * - `identities`: partition `identity`, row = object id; never deleted; a username changes only
 *   while the row is a pending reservation.
 * - `events`: partition `user` or `group`, row = object id, `at` = the latest decided time;
 *   kept apart from identities because groups, and users without an account, are fenced too.
 * - leases, budget and held actions in their own tables (`TableLeases`, `TableBudget`, `HeldActions`).
 * Every update is read–decide–write with the ETag read, retried on 412/409.
 */
export class TableStateStore implements SyncState {
  readonly leases: TableLeases;
  readonly budget: TableBudget;
  readonly heldActions: HeldActions;

  constructor(
    private readonly clients: StorageClients,
    options: TableStateStoreOptions = {},
  ) {
    this.leases = new TableLeases(clients.table('leases'), options.lease);
    this.budget = new TableBudget(clients.table('budget'));
    this.heldActions = new HeldActions(clients.table('held'));
  }

  async listIdentities(): Promise<IdentityRecord[]> {
    const rows = await readPartition<IdentityRow>(this.clients.table('identities'), IDENTITY);
    return rows.map(toIdentity);
  }

  async getIdentity(objectId: ObjectId): Promise<IdentityRecord | undefined> {
    const row = await readEntity<IdentityRow>(this.clients.table('identities'), IDENTITY, safeKey(objectId));
    return row && toIdentity(row);
  }

  async putIdentity(record: IdentityRecord): Promise<void> {
    const table = this.clients.table('identities');
    const rowKey = safeKey(record.objectId);
    await retryOnConflict(`writing identity ${record.objectId}`, async () => {
      const existing = await readEntity<IdentityRow>(table, IDENTITY, rowKey);
      if (existing && !existing.pending && existing.username !== record.username) {
        throw new IdentityConflictError(record.objectId, existing.username, record.username);
      }
      const entity = { partitionKey: IDENTITY, rowKey, ...toRow(record) };
      if (existing) await table.updateEntity(entity, 'Replace', { etag: existing.etag });
      else await table.createEntity(entity);
    });
  }

  async lastEventAt(key: ObjectKey): Promise<number | undefined> {
    const [partition, id] = splitKey(key);
    const row = await readEntity<EventRow>(this.clients.table('events'), partition, id);
    return row?.at;
  }

  /** Keeps the later time: an older mark never moves `lastEventAt` back. */
  async markEvent(key: ObjectKey, at: number): Promise<void> {
    const table = this.clients.table('events');
    const [partition, id] = splitKey(key);
    await retryOnConflict(`marking ${key}`, async () => {
      const row = await readEntity<EventRow>(table, partition, id);
      if (row && row.at >= at) return;
      const entity = { partitionKey: partition, rowKey: id, at };
      if (row) await table.updateEntity(entity, 'Replace', { etag: row.etag });
      else await table.createEntity(entity);
    });
  }

  withLease<T>(key: ObjectKey, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.leases.withLease(key, work);
  }

  drawBudget(at: number, limit: number, windowMs: number): Promise<boolean> {
    return this.budget.draw(at, limit, windowMs);
  }

  hold(held: HeldAction): Promise<void> {
    return this.heldActions.hold(held);
  }

  listHeld(filter: { status?: HeldStatus } = {}): Promise<HeldRecord[]> {
    return this.heldActions.list(filter);
  }

  approveHeld(id: string, by: string, at: number, note?: string): Promise<HeldRecord> {
    return this.heldActions.approve(id, by, at, note);
  }

  rejectHeld(id: string, by: string, at: number, note?: string): Promise<HeldRecord> {
    return this.heldActions.reject(id, by, at, note);
  }
}

function splitKey(key: ObjectKey): [string, string] {
  const colon = key.indexOf(':');
  return [key.slice(0, colon), safeKey(key.slice(colon + 1))];
}

function toRow(record: IdentityRecord): IdentityRow {
  return {
    objectId: record.objectId,
    username: record.username,
    status: record.status,
    written: JSON.stringify(record.written),
    ...(record.adopted === undefined ? {} : { adopted: record.adopted }),
    ...(record.pending === undefined ? {} : { pending: record.pending }),
  };
}

function toIdentity(row: IdentityRow): IdentityRecord {
  return {
    objectId: row.objectId,
    username: row.username,
    status: row.status,
    written: JSON.parse(row.written) as IdentityRecord['written'],
    ...(row.adopted === undefined ? {} : { adopted: row.adopted }),
    ...(row.pending === undefined ? {} : { pending: row.pending }),
  };
}
