import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableClient } from '@azure/data-tables';
import { LeaseBusyError } from './errors.js';
import { readEntity, safeKey, statusOf, storageCall } from './tableSupport.js';

export interface LeaseOptions {
  /** How long a lease lives without renewal; a crashed holder blocks others at most this long. */
  leaseMs?: number;
  /** How long to wait for a busy lease before giving up with a retryable `LeaseBusyError`. */
  maxWaitMs?: number;
  /** First poll interval while waiting; it doubles (with jitter) up to 1 s. */
  pollMs?: number;
  /** Wall clock shared by every worker (leases compare expiry times across machines). */
  now?: () => number;
}

interface LeaseRow {
  owner: string;
  expiresAt: number;
  name: string;
}

interface Held {
  rowKey: string;
  name: string;
  owner: string;
  etag: string;
}

const PARTITION = 'lease';

/**
 * Named leases in the `leases` table: a row per held lease with an owner id and an expiry,
 * created with createEntity (409 = held), renewed every third of its life while the work runs,
 * released with its ETag, and taken over with the ETag once expired.
 */
export class TableLeases {
  readonly #leaseMs: number;
  readonly #maxWaitMs: number;
  readonly #pollMs: number;
  readonly #now: () => number;

  constructor(
    private readonly client: TableClient,
    options: LeaseOptions = {},
  ) {
    this.#leaseMs = options.leaseMs ?? 60_000;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 50;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Runs `work` while holding the lease `name`. The signal aborts if the lease is lost (another
   * worker took it over after a renewal failed); the work's result is still returned.
   */
  async withLease<T>(name: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const held = await this.#acquire(name);
    const lost = new AbortController();
    const renewal = this.#keepAlive(held, lost);
    try {
      return await work(lost.signal);
    } finally {
      await renewal.stop();
      if (!lost.signal.aborted) await this.#release(held);
    }
  }

  /** The current holder of a lease, if it is held and not expired (for `status`). */
  async holder(name: string): Promise<{ owner: string; expiresAt: number } | undefined> {
    const row = await readEntity<LeaseRow>(this.client, PARTITION, safeKey(name));
    if (!row || row.expiresAt <= this.#now()) return undefined;
    return { owner: row.owner, expiresAt: row.expiresAt };
  }

  async #acquire(name: string): Promise<Held> {
    const rowKey = safeKey(name);
    const started = this.#now();
    let delay = this.#pollMs;
    for (;;) {
      const owner = randomUUID();
      const created = await this.#tryCreate(rowKey, name, owner);
      if (created) return created;
      const current = await readEntity<LeaseRow>(this.client, PARTITION, rowKey);
      if (!current) continue; // released between our create and our read
      if (current.expiresAt <= this.#now()) {
        const taken = await this.#write({ rowKey, name, owner, etag: current.etag ?? '*' });
        if (taken) return taken;
        continue;
      }
      const waited = this.#now() - started;
      if (waited >= this.#maxWaitMs) throw new LeaseBusyError(name, waited);
      const untilExpiry = Math.max(0, current.expiresAt - this.#now()) + 5;
      await sleep(Math.min(delay * (0.5 + Math.random()), this.#maxWaitMs - waited, untilExpiry));
      delay = Math.min(delay * 2, 1_000);
    }
  }

  async #tryCreate(rowKey: string, name: string, owner: string): Promise<Held | undefined> {
    const entity = { partitionKey: PARTITION, rowKey, owner, name, expiresAt: this.#now() + this.#leaseMs };
    return storageCall(`creating lease ${name}`, async () => {
      try {
        const response = await this.client.createEntity(entity);
        return { rowKey, name, owner, etag: response.etag ?? '*' };
      } catch (error) {
        if (statusOf(error) === 409) return undefined;
        throw error;
      }
    });
  }

  /** Replaces the row if it still has `held.etag`; undefined when another writer got there first. */
  async #write(held: Held): Promise<Held | undefined> {
    const entity = {
      partitionKey: PARTITION,
      rowKey: held.rowKey,
      owner: held.owner,
      name: held.name,
      expiresAt: this.#now() + this.#leaseMs,
    };
    return storageCall(`writing lease ${held.name}`, async () => {
      try {
        const response = await this.client.updateEntity(entity, 'Replace', { etag: held.etag });
        return { ...held, etag: response.etag ?? '*' };
      } catch (error) {
        const status = statusOf(error);
        if (status === 412 || status === 404) return undefined;
        throw error;
      }
    });
  }

  #keepAlive(held: Held, lost: AbortController): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    let inflight: Promise<void> = Promise.resolve();
    const renew = async () => {
      try {
        const renewed = await this.#write(held);
        if (renewed) held.etag = renewed.etag;
        else {
          stopped = true;
          lost.abort(new LeaseBusyError(held.name, 0));
        }
      } catch {
        // A transient failure: the lease still has two thirds of its life; try again next tick.
      }
    };
    const schedule = () => {
      if (stopped) return;
      timer = setTimeout(() => {
        inflight = renew().then(schedule);
      }, this.#leaseMs / 3);
      timer.unref();
    };
    schedule();
    return {
      stop: async () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        await inflight;
      },
    };
  }

  async #release(held: Held): Promise<void> {
    try {
      await this.client.deleteEntity(PARTITION, held.rowKey, { etag: held.etag });
    } catch {
      // 404/412: taken over or gone. Anything else: the lease simply expires after leaseMs.
    }
  }
}
