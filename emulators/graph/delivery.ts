import type { Emulator } from './context.js';
import { graphDateTime, stringifyWithBigInt } from './http.js';
import { post } from './outbound.js';
import { normalizeResource, type Subscription } from './subscriptions.js';
import type { DirectoryChange } from './types.js';

export type Item = Record<string, unknown>;

interface Batch {
  url: string;
  items: Item[];
  firstAttemptAt: number;
  attempt: number;
}

export interface DeliveryRecord {
  url: string;
  attempt: number;
  items: number;
  status: number | null;
  error?: string;
  at: string;
}

/** .NET ticks, like the observed sequenceNumber values (beyond 2^53, spec §3). */
function ticks(ms: number, counter: number): bigint {
  return BigInt(ms) * 10_000n + 621_355_968_000_000_000n + BigInt(counter % 10_000);
}

function matches(sub: Subscription, change: DirectoryChange): boolean {
  const r = normalizeResource(sub.resource);
  const changeType = change.op === 'deleted' ? 'deleted' : 'updated';
  if (!sub.changeType.includes(changeType)) return false;
  const prefix = change.kind === 'user' ? 'users' : 'groups';
  if (r === prefix) return true;
  if (r === `${prefix}/${change.id.toLowerCase()}`) return true;
  return r === `groups/${change.id.toLowerCase()}/members` && change.op === 'members';
}

/**
 * Webhook delivery: one queue per notification URL, batched, at least once, retried with
 * exponential backoff on non-2xx or timeout for `retryWindowMs`, then dropped (spec §3).
 */
export class Delivery {
  private readonly pending = new Map<string, Item[]>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private counter = 0;
  private closed = false;
  readonly log: DeliveryRecord[] = [];
  dropped = 0;

  constructor(private readonly em: Emulator) {}

  onChange(change: DirectoryChange): void {
    for (const sub of this.em.subscriptions.active()) {
      if (!matches(sub, change)) continue;
      const prefix = change.kind === 'user' ? 'Users' : 'Groups';
      const resourceData: Item = {
        // Capitalised in directory notifications (spec §3).
        '@odata.type': change.kind === 'user' ? '#Microsoft.Graph.User' : '#Microsoft.Graph.Group',
        '@odata.id': `${prefix}/${change.id}`,
        id: change.id,
        organizationId: this.em.directory.tenantId,
        eventTime: graphDateTime(change.at),
        sequenceNumber: ticks(change.at, this.counter++),
      };
      if (change.members.length > 0) {
        // In notifications @removed is a string (unlike delta's object), spec §3.
        resourceData['members@delta'] = change.members.map((m) =>
          m.removed ? { id: m.id, '@removed': 'deleted' } : { id: m.id },
        );
      }
      this.enqueue(sub.notificationUrl, {
        changeType: change.op === 'deleted' ? 'deleted' : 'updated',
        clientState: sub.clientState,
        resource: `${prefix}/${change.id}`,
        resourceData,
        subscriptionExpirationDateTime: graphDateTime(sub.expiresAt, true),
        subscriptionId: sub.id,
        tenantId: this.em.directory.tenantId,
      });
    }
  }

  lifecycle(sub: Subscription, event: string): boolean {
    const url = sub.lifecycleNotificationUrl;
    if (!url) return false;
    this.enqueue(url, {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: graphDateTime(sub.expiresAt, true),
      tenantId: this.em.directory.tenantId,
      clientState: sub.clientState,
      lifecycleEvent: event,
    });
    return true;
  }

  enqueue(url: string, item: Item): void {
    const faults = this.em.faults.delivery;
    if (faults.dropNext > 0) {
      faults.dropNext -= 1;
      this.dropped += 1;
      return;
    }
    const list = this.pending.get(url) ?? [];
    list.push(item);
    if (faults.duplicateNext > 0) {
      faults.duplicateNext -= 1;
      this.later(() => this.enqueueRaw(url, item), this.em.faults.timing.batchWindowMs * 2);
    }
    if (!this.pending.has(url)) {
      this.pending.set(url, list);
      this.later(() => this.flush(url), this.em.faults.timing.batchWindowMs);
    }
  }

  private enqueueRaw(url: string, item: Item): void {
    const list = this.pending.get(url);
    if (list) list.push(item);
    else {
      this.pending.set(url, [item]);
      this.later(() => this.flush(url), this.em.faults.timing.batchWindowMs);
    }
  }

  private later(fn: () => void, ms: number): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private flush(url: string): void {
    const items = this.pending.get(url) ?? [];
    this.pending.delete(url);
    const { maxBatchSize } = this.em.faults.timing;
    for (let i = 0; i < items.length; i += maxBatchSize) {
      let chunk = items.slice(i, i + maxBatchSize);
      if (this.em.faults.delivery.reorder) chunk = [...chunk].reverse();
      const batch: Batch = { url, items: chunk, firstAttemptAt: Date.now(), attempt: 0 };
      this.later(() => void this.attempt(batch), this.em.faults.delivery.delayMs);
    }
  }

  private async attempt(batch: Batch): Promise<void> {
    const t = this.em.faults.timing;
    batch.attempt += 1;
    const timeout = batch.attempt === 1 ? t.firstTimeoutMs : t.retryTimeoutMs;
    const record: DeliveryRecord = {
      url: batch.url,
      attempt: batch.attempt,
      items: batch.items.length,
      status: null,
      at: new Date().toISOString(),
    };
    this.log.push(record);
    try {
      const res = await post(
        batch.url,
        stringifyWithBigInt({ value: batch.items }),
        'application/json; charset=utf-8',
        timeout,
      );
      record.status = res.status;
      if (res.status >= 200 && res.status < 300) return;
    } catch (err) {
      record.error = (err as Error).message;
    }
    const backoff = Math.min(t.retryBaseMs * 2 ** (batch.attempt - 1), t.retryMaxMs);
    if (Date.now() + backoff - batch.firstAttemptAt > t.retryWindowMs) {
      this.dropped += batch.items.length;
      return;
    }
    this.later(() => void this.attempt(batch), backoff);
  }

  /** Forgets everything queued (reset). */
  clear(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pending.clear();
    this.log.length = 0;
    this.dropped = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
  }
}
