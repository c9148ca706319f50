import { describe, expect, it } from 'vitest';
import { receiveLifecycle } from '../../../../src/app/http/receiveLifecycle.js';
import { aLifecycleItem, aPost, NOW, OTHER_SUB, OUR_SUB, someDeps } from './notificationBuilders.js';

describe('receiveLifecycle', () => {
  it('answers the validation handshake like the notification URL', async () => {
    const { deps } = someDeps();
    const result = await receiveLifecycle(
      { query: new URLSearchParams('validationToken=a%2Bb%20c'), bodyText: undefined, bodyBytes: 0 },
      deps,
    );
    expect(result).toEqual({ kind: 'validation', token: 'a+b c' });
  });

  it('turns each known event into one lifecycle message', async () => {
    const { deps, enqueued, counters } = someDeps();
    const items = [
      aLifecycleItem(),
      aLifecycleItem({ lifecycleEvent: 'subscriptionRemoved' }),
      aLifecycleItem({ lifecycleEvent: 'missed' }),
    ];

    const result = await receiveLifecycle(aPost({ value: items }), deps);

    expect(result).toEqual({ kind: 'accepted', enqueued: 3, dropped: 0, truncated: 0, alarms: 0 });
    expect(enqueued[0]).toEqual([
      {
        kind: 'lifecycle',
        subscriptionId: OUR_SUB,
        lifecycleEvent: 'reauthorizationRequired',
        receivedAt: NOW,
        attempt: 0,
      },
      {
        kind: 'lifecycle',
        subscriptionId: OUR_SUB,
        lifecycleEvent: 'subscriptionRemoved',
        receivedAt: NOW,
        attempt: 0,
      },
      { kind: 'lifecycle', subscriptionId: OUR_SUB, lifecycleEvent: 'missed', receivedAt: NOW, attempt: 0 },
    ]);
    expect(counters.counts['lifecycle.reauthorizationRequired']).toBe(1);
  });

  it('drops forged events (alarm on ours) and events Graph adds later', async () => {
    const { deps, enqueued, counters } = someDeps();
    const items = [
      aLifecycleItem({ clientState: 'guess' }),
      aLifecycleItem({ clientState: 'guess', subscriptionId: OTHER_SUB }),
      aLifecycleItem({ lifecycleEvent: 'somethingNew' }),
    ];
    const result = await receiveLifecycle(aPost({ value: items }), deps);
    expect(result).toEqual({ kind: 'accepted', enqueued: 0, dropped: 3, truncated: 0, alarms: 1 });
    expect(enqueued).toEqual([]);
    expect(counters.alarms[0]).toMatchObject({ channel: 'lifecycle', subscriptionId: OUR_SUB });
    expect(counters.counts['lifecycle.dropped.unsupportedItem']).toBe(1);
  });

  it('names the failing path of a bad collection and answers 503 when the enqueue fails', async () => {
    const { deps } = someDeps();
    const bad = await receiveLifecycle(aPost({ value: [aLifecycleItem({ tenantId: '' })] }), deps);
    expect(bad).toMatchObject({ kind: 'rejected', status: 400 });
    expect(bad.kind === 'rejected' && bad.reason).toMatch(/^value\[0\]\.tenantId: /);

    const failing = someDeps({
      enqueue: async () => {
        throw new Error('down');
      },
    });
    expect(await receiveLifecycle(aPost({ value: [aLifecycleItem()] }), failing.deps)).toMatchObject({
      kind: 'rejected',
      status: 503,
    });
  });
});
