import type { TableClient } from '@azure/data-tables';
import { RunStore } from '../../state/index.js';
import { safeKey, storageCall } from '../../state/tableSupport.js';
import { utcDay } from '../../state/utcDay.js';

/** A run the admin API has queued and the worker has not started yet. */
export interface QueuedRun {
  id: string;
  kind: string;
  at: number;
  dryRun: boolean;
  requestedBy: string;
}

/**
 * Writes a run row with status `queued` before its message is enqueued, so `GET /api/runs/{id}`
 * answers at once; the worker's `RunStore.start` later replaces it with `running`. The row has
 * RunStore's columns (src/state/README.md) and lives in the partition of its id's day, where
 * `RunStore.get` looks. `RunStatus` has no `queued` yet: the lead may move this into RunStore.
 */
export class QueuedRuns {
  readonly #table: TableClient;
  readonly #runs: RunStore;

  constructor(table: TableClient) {
    this.#table = table;
    this.#runs = new RunStore(table);
  }

  newId(at: number): string {
    return RunStore.newId(at);
  }

  async queue(run: QueuedRun): Promise<void> {
    const entity = {
      partitionKey: utcDay(run.at),
      rowKey: safeKey(run.id),
      id: run.id,
      kind: run.kind,
      startedAt: run.at,
      status: 'queued',
      counts: '{}',
      dryRun: run.dryRun,
      requestedBy: run.requestedBy,
    };
    await storageCall(`queueing run ${run.id}`, () => this.#table.upsertEntity(entity, 'Replace'));
  }

  /** Marks a run whose message could not be enqueued as failed (best effort). */
  async fail(id: string, at: number, error: string): Promise<void> {
    await this.#runs.finish(id, { status: 'failed', finishedAt: at, error }).catch(() => undefined);
  }
}
