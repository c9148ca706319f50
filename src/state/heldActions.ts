import type { TableClient } from '@azure/data-tables';
import type { Action } from '../domain/actions.js';
import type { HeldAction } from '../sync/ports.js';
import { HeldActionError } from './errors.js';
import { readEntity, readPartition, retryOnConflict, safeKey, storageCall } from './tableSupport.js';

export type HeldStatus = 'held' | 'approved' | 'rejected';

/** A held action with the operator's decision, once there is one. */
export interface HeldRecord extends HeldAction {
  status: HeldStatus;
  decidedAt?: number;
  decidedBy?: string;
  note?: string;
}

interface HeldRow {
  id: string;
  action: string;
  heldAt: number;
  because: HeldAction['because'];
  cause: string;
  status: HeldStatus;
  decidedAt?: number;
  decidedBy?: string;
  note?: string;
}

const PARTITION = 'held';

/**
 * The `held` table (DESIGN §3.3): actions past the budget or resting on a suspect read, one row per
 * action id, waiting for an operator. Approving returns the action for the caller to apply (and
 * audit); a decision is written with the row's ETag, so two operators can't both approve.
 */
export class HeldActions {
  constructor(private readonly client: TableClient) {}

  /** Holding an action again (a later plan) replaces the row and asks for a new decision. */
  async hold(held: HeldAction): Promise<void> {
    const row: HeldRow = {
      id: held.id,
      action: JSON.stringify(held.action),
      heldAt: held.heldAt,
      because: held.because,
      cause: held.cause,
      status: 'held',
    };
    await storageCall(`holding ${held.id}`, () =>
      this.client.upsertEntity({ partitionKey: PARTITION, rowKey: safeKey(held.id), ...row }, 'Replace'),
    );
  }

  async get(id: string): Promise<HeldRecord | undefined> {
    const row = await readEntity<HeldRow>(this.client, PARTITION, safeKey(id));
    return row && toRecord(row);
  }

  /** Oldest first; `status` filters (e.g. only those still waiting). */
  async list(filter: { status?: HeldStatus } = {}): Promise<HeldRecord[]> {
    const rows = await readPartition<HeldRow>(
      this.client,
      PARTITION,
      filter.status ? `status eq '${filter.status}'` : undefined,
    );
    return rows.map(toRecord).sort((a, b) => a.heldAt - b.heldAt || a.id.localeCompare(b.id));
  }

  /** Marks the action approved and returns it, for the caller to apply through `applyPlan`. */
  async approve(id: string, by: string, at: number, note?: string): Promise<HeldRecord> {
    return this.#decide(id, 'approved', by, at, note);
  }

  async reject(id: string, by: string, at: number, note?: string): Promise<HeldRecord> {
    return this.#decide(id, 'rejected', by, at, note);
  }

  async #decide(id: string, status: HeldStatus, by: string, at: number, note?: string): Promise<HeldRecord> {
    return retryOnConflict(`deciding held action ${id}`, async () => {
      const row = await readEntity<HeldRow>(this.client, PARTITION, safeKey(id));
      if (!row) throw new HeldActionError(`no held action ${id}`);
      if (row.status !== 'held') throw new HeldActionError(`held action ${id} was already ${row.status}`);
      const decision = { status, decidedAt: at, decidedBy: by, ...(note ? { note } : {}) };
      await this.client.updateEntity({ partitionKey: PARTITION, rowKey: safeKey(id), ...decision }, 'Merge', {
        etag: row.etag,
      });
      return toRecord({ ...row, ...decision });
    });
  }
}

function toRecord(row: HeldRow): HeldRecord {
  return {
    id: row.id,
    action: JSON.parse(row.action) as Action,
    heldAt: row.heldAt,
    because: row.because,
    cause: row.cause,
    status: row.status,
    ...(row.decidedAt === undefined ? {} : { decidedAt: row.decidedAt }),
    ...(row.decidedBy === undefined ? {} : { decidedBy: row.decidedBy }),
    ...(row.note === undefined ? {} : { note: row.note }),
  };
}
