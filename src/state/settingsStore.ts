import type { TableClient } from '@azure/data-tables';
import { readEntity, replaceEntity, safeKey } from './tableSupport.js';

/** The pause switch (`POST /api/pause|resume`): while paused the worker applies nothing. */
export interface PauseState {
  paused: boolean;
  at?: number;
  by?: string;
  reason?: string;
}

interface SettingRow {
  /** JSON of the value. */
  value: string;
}

const PARTITION = 'setting';
const PAUSE = 'pause';

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
    return row && { value: JSON.parse(row.value) as unknown, etag: row.etag ?? '*' };
  }

  /**
   * Writes a value. With `etag` (from `get`), fails with a retryable `ConcurrencyError` if the
   * value changed meanwhile; without it, creates or overwrites. Returns the new ETag.
   */
  async set(name: string, value: unknown, etag?: string): Promise<string> {
    const entity = { partitionKey: PARTITION, rowKey: safeKey(name), value: JSON.stringify(value) };
    return replaceEntity(this.client, entity, etag, `setting ${name}`);
  }
}
