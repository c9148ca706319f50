import { ConcurrencyError } from '../../state/errors.js';

/** The settings row every instance adds its webhook counts to (DESIGN §3.1: dropped items are counted). */
export const WEBHOOK_COUNTERS_SETTING = 'webhookCounters';

/** The last alarm: a rejected item that carried one of our own subscription ids. */
export interface WebhookAlarm {
  at: number;
  channel: 'notifications' | 'lifecycle';
  subscriptionId: string;
  reason: string;
}

/** What `status` reads: totals since the row was created, across every instance. */
export interface WebhookCounts {
  counts: Record<string, number>;
  lastAlarm?: WebhookAlarm;
  updatedAt?: number;
}

/** Where `receive()` counts; the hot path only touches memory. */
export interface CounterSink {
  add(name: string, by?: number): void;
  alarm(alarm: WebhookAlarm): void;
}

/**
 * A settings row updated by several instances: `set` with the ETag from `get` updates only that
 * version, and without an ETag creates only an absent row; either way a lost race is a
 * `ConcurrencyError` (`settingsRows()` over the settings table).
 */
export interface CounterStore {
  get(name: string): Promise<{ value: unknown; etag: string } | undefined>;
  set(name: string, value: unknown, etag?: string): Promise<string>;
}

export interface WebhookCountersOptions {
  /** How long increments wait in memory before one merge into the table; 5 s by default. */
  flushMs?: number;
  now?: () => number;
  /** Told when a flush fails (the counts stay buffered and are tried again). */
  onError?: (error: unknown) => void;
}

const MERGE_ATTEMPTS = 5;

/**
 * Webhook counters, buffered per process and merged into one settings row at most every `flushMs`
 * (default 5 s): a request never waits on a table write, and N instances cost at most N merges per
 * interval. A merge is read–add–write with the row's ETag, so instances never lose each other's
 * counts; a failed merge keeps the counts buffered for the next one. What a process holds when it
 * is recycled (at most `flushMs` of counts) is lost: these counters are for alarms and trends, not
 * for accounting.
 */
export class WebhookCounters implements CounterSink {
  readonly #store: CounterStore;
  readonly #flushMs: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;
  #pending = new Map<string, number>();
  #lastAlarm: WebhookAlarm | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;

  constructor(store: CounterStore, options: WebhookCountersOptions = {}) {
    this.#store = store;
    this.#flushMs = options.flushMs ?? 5_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => undefined);
  }

  add(name: string, by = 1): void {
    if (by === 0) return;
    this.#pending.set(name, (this.#pending.get(name) ?? 0) + by);
    this.#schedule();
  }

  alarm(alarm: WebhookAlarm): void {
    this.#lastAlarm = alarm;
    this.add(`${alarm.channel}.alarm.${alarm.reason}`);
  }

  /** Counts not yet merged (for tests and diagnostics). */
  pending(): Record<string, number> {
    return Object.fromEntries(this.#pending);
  }

  /** Merges what is buffered now; concurrent calls share one merge. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#flushing ??= this.#merge().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  #schedule(): void {
    if (this.#timer || this.#flushing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#flushMs);
    // A buffered count must never keep a process (or a test run) alive.
    this.#timer.unref();
  }

  async #merge(): Promise<void> {
    if (this.#pending.size === 0 && !this.#lastAlarm) return;
    const batch = this.#pending;
    const alarm = this.#lastAlarm;
    this.#pending = new Map();
    this.#lastAlarm = undefined;
    try {
      await mergeCounts(this.#store, batch, alarm, this.#now());
    } catch (error) {
      for (const [name, by] of batch) this.#pending.set(name, (this.#pending.get(name) ?? 0) + by);
      this.#lastAlarm ??= alarm;
      this.#onError(error);
      this.#schedule();
    }
  }
}

async function mergeCounts(
  store: CounterStore,
  batch: ReadonlyMap<string, number>,
  alarm: WebhookAlarm | undefined,
  now: number,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(WEBHOOK_COUNTERS_SETTING);
    const value = asCounts(current?.value);
    const counts = { ...value.counts };
    for (const [name, by] of batch) counts[name] = (counts[name] ?? 0) + by;
    const lastAlarm = alarm && (!value.lastAlarm || alarm.at >= value.lastAlarm.at) ? alarm : value.lastAlarm;
    const next: WebhookCounts = { counts, updatedAt: now, ...(lastAlarm ? { lastAlarm } : {}) };
    try {
      await store.set(WEBHOOK_COUNTERS_SETTING, next, current?.etag);
      return;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= MERGE_ATTEMPTS) throw error;
    }
  }
}

/** Reads the merged counters (what `status` shows); a missing or odd row reads as empty. */
export async function readWebhookCounts(store: Pick<CounterStore, 'get'>): Promise<WebhookCounts> {
  return asCounts((await store.get(WEBHOOK_COUNTERS_SETTING))?.value);
}

function asCounts(value: unknown): WebhookCounts {
  if (typeof value !== 'object' || value === null) return { counts: {} };
  const row = value as Partial<WebhookCounts>;
  const counts: Record<string, number> = {};
  for (const [name, count] of Object.entries(row.counts ?? {})) {
    if (typeof count === 'number' && Number.isFinite(count)) counts[name] = count;
  }
  return {
    counts,
    ...(row.lastAlarm ? { lastAlarm: row.lastAlarm } : {}),
    ...(typeof row.updatedAt === 'number' ? { updatedAt: row.updatedAt } : {}),
  };
}
