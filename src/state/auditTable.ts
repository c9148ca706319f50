import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { type AuditEntry, type AuditRecord, AuditRecordSchema } from './auditRecord.js';
import { escapeOdata, readPartition, storageCall } from './tableSupport.js';
import { utcDay, utcDaysBetween } from './utcDay.js';

/** Record fields stored as JSON text; every other field is a plain column. */
const JSON_FIELDS = ['cause', 'error', 'residual', 'counts'] as const;
/** A table string property holds 64 KiB (32K UTF-16 characters). */
const MAX_TEXT = 30_000;
/** An entity-group transaction takes 100 rows and 4 MiB. */
const MAX_BATCH_ROWS = 100;
const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export interface AuditQuery {
  from: number;
  to: number;
  objectId?: string;
  username?: string;
  /** At most this many records, from the oldest (or newest with `newestFirst`). */
  limit?: number;
  newestFirst?: boolean;
}

/**
 * The `audit` table: partition per UTC day (`yyyy-mm-dd`), one row per action outcome, run or
 * event; the row key is the zero-padded epoch-ms time plus a random suffix, so rows sort by time.
 */
export class AuditTable {
  constructor(private readonly client: TableClient) {}

  async write(record: AuditRecord): Promise<string> {
    const [id] = await this.writeMany([record]);
    return id as string;
  }

  /** Writes records in entity-group transactions (one day, at most 100 rows or ~2 MB each). */
  async writeMany(records: readonly AuditRecord[]): Promise<string[]> {
    const entities = records.map((record) => ({
      partitionKey: utcDay(record.appliedAt),
      rowKey: `${pad(record.appliedAt)}-${randomBytes(5).toString('hex')}`,
      ...toColumns(record),
    }));
    const batches = new Map<string, (typeof entities)[]>();
    for (const entity of entities) {
      const day = batches.get(entity.partitionKey) ?? [[]];
      let last = day.at(-1) ?? [];
      const size = (batch: typeof entities) =>
        batch.reduce((sum, e) => sum + JSON.stringify(e).length * 2, 0);
      if (last.length >= MAX_BATCH_ROWS || size(last) + JSON.stringify(entity).length * 2 > MAX_BATCH_BYTES) {
        last = [];
        day.push(last);
      }
      last.push(entity);
      batches.set(entity.partitionKey, day);
    }
    const transactions = [...batches.values()].flat().filter((batch) => batch.length > 0);
    await Promise.all(
      transactions.map((batch) =>
        storageCall('writing audit rows', () =>
          this.client.submitTransaction(batch.map((entity) => ['create', entity] as const)),
        ),
      ),
    );
    return entities.map((entity) => entity.rowKey);
  }

  /** Records in `[from, to]`, optionally of one user, read day by day. */
  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const days = utcDaysBetween(query.from, query.to);
    if (query.newestFirst) days.reverse();
    const conditions = [`RowKey ge '${pad(query.from)}'`, `RowKey lt '${pad(query.to + 1)}'`];
    if (query.objectId) conditions.push(`objectId eq '${escapeOdata(query.objectId)}'`);
    if (query.username) conditions.push(`username eq '${escapeOdata(query.username)}'`);
    const entries: AuditEntry[] = [];
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    for (const day of days) {
      const rows = await readPartition<Record<string, unknown>>(this.client, day, conditions.join(' and '));
      const parsed = rows.map(fromColumns);
      if (query.newestFirst) parsed.reverse();
      entries.push(...parsed);
      if (entries.length >= limit) return entries.slice(0, limit);
    }
    return entries;
  }
}

function pad(at: number): string {
  return String(Math.max(0, Math.floor(at))).padStart(15, '0');
}

function toColumns(record: AuditRecord): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const json = (JSON_FIELDS as readonly string[]).includes(name);
    const cell = json ? JSON.stringify(value) : value;
    columns[name] = typeof cell === 'string' && cell.length > MAX_TEXT ? truncate(name, cell, json) : cell;
  }
  return columns;
}

function truncate(name: string, text: string, json: boolean): string {
  return json
    ? JSON.stringify({ truncated: true, chars: text.length, field: name })
    : `${text.slice(0, MAX_TEXT)}…`;
}

function fromColumns(row: Record<string, unknown>): AuditEntry {
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === 'partitionKey' || name === 'rowKey' || name === 'etag' || name === 'timestamp') continue;
    record[name] =
      (JSON_FIELDS as readonly string[]).includes(name) && typeof value === 'string'
        ? JSON.parse(value)
        : value;
  }
  return { ...AuditRecordSchema.parse(record), id: String(row.rowKey) };
}
