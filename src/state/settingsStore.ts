import type { TableClient } from '@azure/data-tables';
import { StateStoreError } from './errors.js';
import { escapeOdata, readEntity, readPartition, replaceEntity, safeKey, unsafeKey } from './tableSupport.js';

/** The pause switch (`POST /api/pause|resume`): while paused the worker applies nothing. */
export interface PauseState {
  paused: boolean;
  at?: number;
  by?: string;
  reason?: string;
}

interface SettingRow {
  /** JSON of the value, or its first part. */
  value: string;
  /** The further parts of a long value, in order. */
  [part: `value${number}`]: string | undefined;
}

const PARTITION = 'setting';
const PAUSE = 'pause';
// A string property holds 32K UTF-16 characters and an entity 1 MiB: longer JSON goes on in
// `value1`, `value2`, … of the same row (written at once), up to 16 parts (960,000 bytes).
const PART_CHARS = 30_000;
const MAX_PARTS = 16;
/** The longest JSON a setting can hold. */
export const MAX_SETTING_CHARS = PART_CHARS * MAX_PARTS;

/**
 * The `settings` table: small named values the app keeps between runs — the pause switch, the
 * mapping hash (a change enqueues a reconcile), when Gogs started failing — as JSON, with ETags.
 */
export class SettingsStore {
  constructor(private readonly client: TableClient) {}

  async pauseState(): Promise<PauseState> {
    return ((await this.get(PAUSE))?.value as PauseState | undefined) ?? { paused: false };
  }

  async pause(by: string, at: number, reason?: string): Promise<void> {
    await this.set(PAUSE, { paused: true, at, by, ...(reason ? { reason } : {}) });
  }

  async resume(by: string, at: number): Promise<void> {
    await this.set(PAUSE, { paused: false, at, by });
  }

  async get(name: string): Promise<{ value: unknown; etag: string } | undefined> {
    const row = await readEntity<SettingRow>(this.client, PARTITION, safeKey(name));
    return row ? settingOf(row) : undefined;
  }

  /** Every setting whose name starts with `prefix`, by name, in one query. */
  async getPrefixed(prefix: string): Promise<Map<string, { value: unknown; etag: string }>> {
    const from = safeKey(prefix);
    const to = `${from.slice(0, -1)}${String.fromCharCode(from.charCodeAt(from.length - 1) + 1)}`;
    const filter = `RowKey ge '${escapeOdata(from)}' and RowKey lt '${escapeOdata(to)}'`;
    const rows = await readPartition<SettingRow>(this.client, PARTITION, filter);
    return new Map(rows.map((row) => [unsafeKey(row.rowKey ?? ''), settingOf(row)]));
  }

  /**
   * Writes a value. With `etag` (from `get`), fails with a retryable `ConcurrencyError` if the
   * value changed meanwhile; without it, creates or overwrites. Returns the new ETag. A value whose
   * JSON is longer than `MAX_SETTING_CHARS` fails with a non-retryable `StateStoreError`.
   */
  async set(name: string, value: unknown, etag?: string): Promise<string> {
    const json = JSON.stringify(value);
    if (json.length > MAX_SETTING_CHARS) {
      throw new StateStoreError(
        `setting ${name} is ${json.length} characters of JSON, over the ${MAX_SETTING_CHARS} a row holds`,
        { retryable: false },
      );
    }
    const [first = '', ...rest] = parts(json);
    const entity: { partitionKey: string; rowKey: string } & Record<string, string> = {
      partitionKey: PARTITION,
      rowKey: safeKey(name),
      value: first,
    };
    rest.forEach((part, i) => {
      entity[`value${i + 1}`] = part;
    });
    return replaceEntity(this.client, entity, etag, `setting ${name}`);
  }
}

function settingOf(row: SettingRow & { etag?: string }): { value: unknown; etag: string } {
  let json = row.value;
  for (let i = 1; i < MAX_PARTS; i++) {
    const part = row[`value${i}`];
    if (typeof part !== 'string') break;
    json += part;
  }
  return { value: JSON.parse(json) as unknown, etag: row.etag ?? '*' };
}

/** Cuts `json` into parts of at most `PART_CHARS`, never between the two halves of a surrogate pair. */
function parts(json: string): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < json.length) {
    let end = Math.min(start + PART_CHARS, json.length);
    const next = json.charCodeAt(end);
    if (end < json.length && next >= 0xdc00 && next <= 0xdfff) end -= 1;
    out.push(json.slice(start, end));
    start = end;
  }
  return out.length > 0 ? out : [''];
}
