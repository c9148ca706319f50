import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { StateStoreError } from './errors.js';
import { readEntity, readPartition, safeKey, storageCall } from './tableSupport.js';
import { utcDay, utcDaysBetween } from './utcDay.js';

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'partial';

/** One reconcile, catch-up, re-assertion or renewal run (DESIGN §3.3, admin API `GET /api/runs/{id}`). */
export interface RunRecord {
  id: string;
  kind: string;
  startedAt: number;
  finishedAt?: number;
  status: RunStatus;
  /** Outcome counts, e.g. `{ applied: 3, skipped: 1 }`. */
  counts: Record<string, number>;
  error?: string;
  dryRun: boolean;
  requestedBy?: string;
  /** The dry-run plan summary; `{ truncated: true, chars }` when it would not fit in a row. */
  plan?: unknown;
}

export interface RunFinish {
  status: Exclude<RunStatus, 'running'>;
  finishedAt: number;
  counts?: Record<string, number>;
  error?: string;
  plan?: unknown;
}

interface RunRow {
  id: string;
  kind: string;
  startedAt: number;
  finishedAt?: number;
  status: RunStatus;
  counts: string;
  error?: string;
  dryRun: boolean;
  requestedBy?: string;
  plan?: string;
}

const LATEST = 'latest';
/** A table string property holds 64 KiB (32K UTF-16 characters). */
const MAX_TEXT = 30_000;

/**
 * The `runs` table: partition per UTC day of the run's start (the id begins with its start time,
 * so `get` finds the partition from the id), plus a `latest` partition with the last started and
 * last succeeded run of each kind, which `status` and the watchdog read.
 */
export class RunStore {
  constructor(private readonly client: TableClient) {}

  /** A sortable id, `20261126T035012345Z-9f3a1c`, issued before the run is queued. */
  static newId(at: number): string {
    const stamp = new Date(at).toISOString().replace(/[-:.]/g, '');
    return `${stamp}-${randomBytes(3).toString('hex')}`;
  }

  /** Starts (or, for a redelivered message, restarts) a run. */
  async start(run: { id: string; kind: string; startedAt: number; dryRun?: boolean; requestedBy?: string }) {
    const record: RunRecord = {
      id: run.id,
      kind: run.kind,
      startedAt: run.startedAt,
      status: 'running',
      counts: {},
      dryRun: run.dryRun ?? false,
      ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
    };
    await this.#write(record);
    await this.#pointer(`started:${run.kind}`, record);
    return record;
  }

  async finish(id: string, finish: RunFinish): Promise<RunRecord> {
    const current = await this.get(id);
    if (!current) throw new StateStoreError(`no run ${id}`, { status: 404, retryable: false });
    const record: RunRecord = {
      ...current,
      status: finish.status,
      finishedAt: finish.finishedAt,
      counts: finish.counts ?? current.counts,
      ...(finish.error === undefined ? {} : { error: finish.error.slice(0, MAX_TEXT) }),
      ...(finish.plan === undefined ? {} : { plan: finish.plan }),
    };
    await this.#write(record);
    // The `started` pointer shows the latest run's state: keep it current unless a newer run began.
    const started = await this.latest(record.kind, 'started');
    if (started?.id === record.id) await this.#pointer(`started:${record.kind}`, record);
    if (record.status === 'succeeded') await this.#pointer(`succeeded:${record.kind}`, record);
    return record;
  }

  async get(id: string): Promise<RunRecord | undefined> {
    const day = dayOfId(id);
    if (!day) return undefined;
    const row = await readEntity<RunRow>(this.client, day, safeKey(id));
    return row && toRecord(row);
  }

  /** The last run of a kind that started, or that succeeded. */
  async latest(kind: string, which: 'started' | 'succeeded' = 'succeeded'): Promise<RunRecord | undefined> {
    const row = await readEntity<RunRow>(this.client, LATEST, safeKey(`${which}:${kind}`));
    return row && toRecord(row);
  }

  /** Runs started between `from` and `to` (epoch ms), newest first. */
  async list(range: { from: number; to: number }): Promise<RunRecord[]> {
    const days = utcDaysBetween(range.from, range.to);
    const rows = (await Promise.all(days.map((day) => readPartition<RunRow>(this.client, day)))).flat();
    return rows
      .map(toRecord)
      .filter((run) => run.startedAt >= range.from && run.startedAt <= range.to)
      .sort((a, b) => b.startedAt - a.startedAt || b.id.localeCompare(a.id));
  }

  async #write(record: RunRecord): Promise<void> {
    // The id's day, where `get` looks: a run queued before midnight may start after it.
    const entity = {
      partitionKey: dayOfId(record.id) ?? utcDay(record.startedAt),
      rowKey: safeKey(record.id),
      ...toRow(record),
    };
    await storageCall(`writing run ${record.id}`, () => this.client.upsertEntity(entity, 'Replace'));
  }

  async #pointer(name: string, record: RunRecord): Promise<void> {
    const entity = { partitionKey: LATEST, rowKey: safeKey(name), ...toRow(record) };
    await storageCall(`writing ${name}`, () => this.client.upsertEntity(entity, 'Replace'));
  }
}

function dayOfId(id: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T/.exec(id);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

function toRow(record: RunRecord): RunRow {
  let plan: string | undefined;
  if (record.plan !== undefined) {
    plan = JSON.stringify(record.plan);
    if (plan.length > MAX_TEXT) plan = JSON.stringify({ truncated: true, chars: plan.length });
  }
  return {
    id: record.id,
    kind: record.kind,
    startedAt: record.startedAt,
    status: record.status,
    counts: JSON.stringify(record.counts),
    dryRun: record.dryRun,
    ...(record.finishedAt === undefined ? {} : { finishedAt: record.finishedAt }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.requestedBy === undefined ? {} : { requestedBy: record.requestedBy }),
    ...(plan === undefined ? {} : { plan }),
  };
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    kind: row.kind,
    startedAt: row.startedAt,
    status: row.status,
    counts: JSON.parse(row.counts) as Record<string, number>,
    dryRun: row.dryRun,
    ...(row.finishedAt === undefined ? {} : { finishedAt: row.finishedAt }),
    ...(row.error === undefined ? {} : { error: row.error }),
    ...(row.requestedBy === undefined ? {} : { requestedBy: row.requestedBy }),
    ...(row.plan === undefined ? {} : { plan: JSON.parse(row.plan) as unknown }),
  };
}
