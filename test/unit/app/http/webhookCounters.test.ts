import { afterEach, describe, expect, it, vi } from 'vitest';
import { SubscriptionIdCache } from '../../../../src/app/http/subscriptionIdCache.js';
import { readWebhookCounts, WebhookCounters } from '../../../../src/app/http/webhookCounters.js';
import { InMemorySettings } from './fakeSettings.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('WebhookCounters', () => {
  it('keeps counts in memory until a flush merges them into one settings row', async () => {
    const store = new InMemorySettings();
    const counters = new WebhookCounters(store, { now: () => 1_000 });

    counters.add('notifications.enqueued', 3);
    counters.add('notifications.dropped.wrongClientState');
    expect(store.rows.size).toBe(0);
    await counters.flush();

    expect(await readWebhookCounts(store)).toEqual({
      counts: { 'notifications.enqueued': 3, 'notifications.dropped.wrongClientState': 1 },
      updatedAt: 1_000,
    });
    expect(counters.pending()).toEqual({});
  });

  it('adds to what other instances merged, and keeps the latest alarm', async () => {
    const store = new InMemorySettings();
    const a = new WebhookCounters(store);
    const b = new WebhookCounters(store);
    a.add('notifications.enqueued', 2);
    a.alarm({ at: 10, channel: 'notifications', subscriptionId: 's1', reason: 'wrongClientState' });
    b.add('notifications.enqueued', 5);
    b.alarm({ at: 20, channel: 'lifecycle', subscriptionId: 's2', reason: 'wrongTenant' });

    await Promise.all([a.flush(), b.flush()]);

    const counts = await readWebhookCounts(store);
    expect(counts.counts).toEqual({
      'notifications.enqueued': 7,
      'notifications.alarm.wrongClientState': 1,
      'lifecycle.alarm.wrongTenant': 1,
    });
    expect(counts.lastAlarm).toMatchObject({ at: 20, subscriptionId: 's2' });
  });

  it('keeps the counts buffered when a merge fails and reports the error', async () => {
    const store = new InMemorySettings();
    const errors: unknown[] = [];
    const counters = new WebhookCounters(store, { onError: (e) => errors.push(e) });
    counters.add('lifecycle.oversize');
    store.failNextSets = 1;

    await counters.flush();
    expect(errors).toHaveLength(1);
    expect(counters.pending()).toEqual({ 'lifecycle.oversize': 1 });

    await counters.flush();
    expect((await readWebhookCounts(store)).counts).toEqual({ 'lifecycle.oversize': 1 });
  });

  it('flushes on its own after the interval, never per request', async () => {
    vi.useFakeTimers();
    const store = new InMemorySettings();
    const set = vi.spyOn(store, 'set');
    const counters = new WebhookCounters(store, { flushMs: 5_000 });
    for (let i = 0; i < 100; i++) counters.add('notifications.enqueued');

    await vi.advanceTimersByTimeAsync(4_999);
    expect(set).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(set).toHaveBeenCalledTimes(1));
    expect((await readWebhookCounts(store)).counts['notifications.enqueued']).toBe(100);
  });

  it('reads an absent or malformed row as empty', async () => {
    const store = new InMemorySettings();
    expect(await readWebhookCounts(store)).toEqual({ counts: {} });
    await store.set('webhookCounters', { counts: { a: 'x', b: 2 } });
    expect(await readWebhookCounts(store)).toEqual({ counts: { b: 2 } });
  });
});

describe('SubscriptionIdCache', () => {
  it('reads the table once per TTL and keeps the last set when a refresh fails', async () => {
    let now = 0;
    let calls = 0;
    let fail = false;
    const cache = new SubscriptionIdCache(
      async () => {
        calls++;
        if (fail) throw new Error('down');
        return [`s${calls}`];
      },
      { now: () => now, ttlMs: 1_000 },
    );

    expect([...(await cache.ids())]).toEqual(['s1']);
    now = 999;
    expect([...(await cache.ids())]).toEqual(['s1']);
    now = 1_000;
    expect([...(await cache.ids())]).toEqual(['s2']);
    fail = true;
    now = 5_000;
    expect([...(await cache.ids())]).toEqual(['s2']);
    expect(calls).toBe(3);
  });

  it('throws when nothing was ever read', async () => {
    const cache = new SubscriptionIdCache(async () => {
      throw new Error('down');
    });
    await expect(cache.ids()).rejects.toThrow('down');
  });
});
