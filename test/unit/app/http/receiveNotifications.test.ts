import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES, MAX_VALIDATION_TOKEN_BYTES } from '../../../../src/app/http/notificationGate.js';
import { receive } from '../../../../src/app/http/receiveNotifications.js';
import { Secret } from '../../../../src/config/index.js';
import { ChangeMessageSchema, TRUNCATE_BYTES } from '../../../../src/state/index.js';
import {
  aGroupItem,
  aPost,
  aUserItem,
  CLIENT_STATE,
  GROUP_ID,
  NOW,
  OTHER_SUB,
  OUR_SUB,
  PREVIOUS_STATE,
  someDeps,
  USER_ID,
} from './notificationBuilders.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('receive: validation handshake', () => {
  it('answers the decoded token and nothing else', async () => {
    const { deps, enqueued, counters } = someDeps();
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 1 <b>&';
    const query = new URLSearchParams(`validationToken=${encodeURIComponent(token)}`);

    const result = await receive({ query, bodyText: '', bodyBytes: 0, contentType: 'text/plain' }, deps);

    expect(result).toEqual({ kind: 'validation', token });
    expect(enqueued).toEqual([]);
    expect(counters.counts['notifications.validation']).toBe(1);
  });

  it('accepts a token of exactly 1 KB and refuses a longer or empty one', async () => {
    const { deps, counters } = someDeps();
    const at = (token: string) =>
      receive(
        { query: new URLSearchParams({ validationToken: token }), bodyText: undefined, bodyBytes: 0 },
        deps,
      );

    expect((await at('é'.repeat(MAX_VALIDATION_TOKEN_BYTES / 2))).kind).toBe('validation');
    expect(await at(`${'a'.repeat(MAX_VALIDATION_TOKEN_BYTES)}b`)).toMatchObject({
      kind: 'rejected',
      status: 400,
    });
    expect(await at('')).toMatchObject({ kind: 'rejected', status: 400 });
    expect(counters.counts['notifications.validationRefused']).toBe(2);
  });

  it('never reads the dependencies that need storage for a handshake', async () => {
    const ids = vi.fn(async () => new Set<string>());
    const { deps } = someDeps({ ourSubscriptionIds: ids });
    await receive(
      { query: new URLSearchParams('validationToken=abc'), bodyText: undefined, bodyBytes: 0 },
      deps,
    );
    expect(ids).not.toHaveBeenCalled();
  });
});

describe('receive: body', () => {
  it('answers 413 past the limit, counted, without parsing', async () => {
    const { deps, counters, enqueued } = someDeps();
    const result = await receive(
      { query: new URLSearchParams(), bodyText: undefined, bodyBytes: MAX_BODY_BYTES + 1 },
      deps,
    );
    expect(result).toMatchObject({ kind: 'rejected', status: 413 });
    expect(counters.counts['notifications.oversize']).toBe(1);
    expect(enqueued).toEqual([]);
    expect(MAX_BODY_BYTES).toBeGreaterThanOrEqual(1024 * 1024);
  });

  it('takes a body of exactly the limit', async () => {
    const { deps } = someDeps({ maxBodyBytes: 2_000 });
    const body = JSON.stringify({ value: [aUserItem()] });
    const padded = body.padEnd(2_000, ' ');
    const result = await receive(
      { query: new URLSearchParams(), bodyText: padded, bodyBytes: Buffer.byteLength(padded) },
      deps,
    );
    expect(result).toMatchObject({ kind: 'accepted', enqueued: 1 });
  });

  it('answers 400 for an empty body, bad JSON, and a schema failure naming its path', async () => {
    const { deps, counters } = someDeps();
    expect(await receive(aPost(''), deps)).toMatchObject({
      kind: 'rejected',
      status: 400,
      reason: 'the body is empty',
    });
    expect(await receive(aPost('{"value": ['), deps)).toMatchObject({
      kind: 'rejected',
      status: 400,
      reason: 'the body is not valid JSON',
    });
    const bad = await receive(aPost({ value: [aUserItem(), aUserItem({ subscriptionId: 42 })] }), deps);
    expect(bad).toMatchObject({ kind: 'rejected', status: 400 });
    expect(bad.kind === 'rejected' && bad.reason).toMatch(/^value\[1\]\.subscriptionId: /);
    expect(counters.counts['notifications.invalid']).toBe(3);
  });

  it('never echoes a clientState in a rejection', async () => {
    const { deps } = someDeps();
    const result = await receive(aPost({ value: [aUserItem({ changeType: 7 })] }), deps);
    expect(JSON.stringify(result)).not.toContain(CLIENT_STATE);
  });
});

describe('receive: items', () => {
  it('turns a valid user item into one user message and answers accepted', async () => {
    const { deps, enqueued, counters } = someDeps();

    const result = await receive(aPost({ value: [aUserItem()] }), deps);

    expect(result).toEqual({ kind: 'accepted', enqueued: 1, dropped: 0, truncated: 0, alarms: 0 });
    expect(enqueued).toEqual([
      [
        {
          kind: 'user',
          objectId: USER_ID,
          source: 'notification',
          changeType: 'updated',
          subscriptionId: OUR_SUB,
          eventTime: Date.parse('2026-11-26T03:59:58.123Z'),
          receivedAt: NOW,
          attempt: 0,
        },
      ],
    ]);
    expect(counters.counts['notifications.enqueued']).toBe(1);
  });

  it('carries members@delta of a group item, with removals', async () => {
    const { deps, enqueued } = someDeps();
    const member = '33333333-3333-4333-8333-333333333333';
    await receive(
      aPost({
        value: [
          aGroupItem([
            { '@odata.type': '#Microsoft.Graph.User', id: member },
            { id: USER_ID, '@removed': 'deleted' },
          ]),
        ],
      }),
      deps,
    );
    expect(enqueued[0]?.[0]).toMatchObject({
      kind: 'group',
      objectId: GROUP_ID,
      membersDelta: [
        { id: member, removed: false },
        { id: USER_ID, removed: true },
      ],
    });
  });

  it('drops members@delta past 40 KB and marks the message truncated', async () => {
    const { deps, enqueued, counters } = someDeps();
    const members = Array.from({ length: 1_000 }, (_, i) => ({
      id: `${String(i).padStart(8, '0')}-1111-4111-8111-111111111111`,
    }));

    const result = await receive(aPost({ value: [aGroupItem(members)] }), deps);

    expect(result).toMatchObject({ kind: 'accepted', enqueued: 1, truncated: 1 });
    const message = enqueued[0]?.[0];
    expect(message).toMatchObject({ kind: 'group', objectId: GROUP_ID, truncated: true });
    expect(message && 'membersDelta' in message).toBe(false);
    expect(Buffer.byteLength(JSON.stringify(message))).toBeLessThan(TRUNCATE_BYTES);
    expect(counters.counts['notifications.truncated']).toBe(1);
  });

  it('keeps one message per item in a mixed batch and all of them in one enqueue', async () => {
    const { deps, enqueued } = someDeps();
    const items = [aUserItem(), aGroupItem([]), aUserItem({ changeType: 'deleted' })];
    const result = await receive(aPost({ value: items }), deps);
    expect(result).toMatchObject({ kind: 'accepted', enqueued: 3, dropped: 0 });
    expect(enqueued).toHaveLength(1);
    expect(enqueued[0]?.map((m) => m.kind)).toEqual(['user', 'group', 'user']);
    for (const message of enqueued[0] ?? [])
      expect(ChangeMessageSchema.safeParse(message).success).toBe(true);
  });

  it('drops an item from another tenant, and alarms when it carries our subscription id', async () => {
    const { deps, enqueued, counters } = someDeps();
    const forged = aUserItem({ tenantId: 'ffffffff-0000-4000-8000-000000000000' });
    const stranger = aUserItem({
      tenantId: 'ffffffff-0000-4000-8000-000000000000',
      subscriptionId: OTHER_SUB,
    });

    const result = await receive(aPost({ value: [forged, stranger] }), deps);

    expect(result).toEqual({ kind: 'accepted', enqueued: 0, dropped: 2, truncated: 0, alarms: 1 });
    expect(enqueued).toEqual([]);
    expect(counters.counts['notifications.dropped.wrongTenant']).toBe(2);
    expect(counters.alarms).toEqual([
      { at: NOW, channel: 'notifications', subscriptionId: OUR_SUB, reason: 'wrongTenant' },
    ]);
  });

  it('drops a forged clientState: an alarm on our subscription id, only a count on another', async () => {
    const { deps, enqueued, counters } = someDeps();
    const items = [
      aUserItem({ clientState: 'guess' }),
      aUserItem({ clientState: 'guess', subscriptionId: OTHER_SUB }),
    ];

    const result = await receive(aPost({ value: items }), deps);

    expect(result).toMatchObject({ kind: 'accepted', enqueued: 0, dropped: 2, alarms: 1 });
    expect(enqueued).toEqual([]);
    expect(counters.counts['notifications.dropped.wrongClientState']).toBe(2);
    expect(counters.counts['notifications.alarm.wrongClientState']).toBe(1);
  });

  it('drops an item without clientState', async () => {
    const { deps, counters } = someDeps();
    const result = await receive(aPost({ value: [aUserItem({ clientState: null })] }), deps);
    expect(result).toMatchObject({ enqueued: 0, dropped: 1, alarms: 1 });
    expect(counters.counts['notifications.dropped.missingClientState']).toBe(1);
  });

  it('accepts the previous clientState during a rotation, counted', async () => {
    const { deps, enqueued, counters } = someDeps();
    await receive(aPost({ value: [aUserItem({ clientState: PREVIOUS_STATE })] }), deps);
    expect(enqueued[0]).toHaveLength(1);
    expect(counters.counts['notifications.previousClientState']).toBe(1);
  });

  it('refuses the previous clientState once it is no longer configured', async () => {
    const { deps, enqueued } = someDeps({ previousClientState: undefined });
    const result = await receive(aPost({ value: [aUserItem({ clientState: PREVIOUS_STATE })] }), deps);
    expect(result).toMatchObject({ enqueued: 0, dropped: 1 });
    expect(enqueued).toEqual([]);
  });

  it('compares clientState in constant time against both secrets (checkItem, Secret.matches)', async () => {
    const matches = vi.spyOn(Secret.prototype, 'matches');
    const { deps } = someDeps();
    await receive(aPost({ value: [aUserItem()] }), deps);
    // Both comparisons run even when the current secret matches, so timing can't tell which did.
    expect(matches).toHaveBeenCalledTimes(2);
    expect(matches.mock.calls.every(([candidate]) => candidate === CLIENT_STATE)).toBe(true);
  });

  it('accepts an unknown subscription id with our clientState, counted', async () => {
    const { deps, enqueued, counters } = someDeps();
    await receive(aPost({ value: [aUserItem({ subscriptionId: OTHER_SUB })] }), deps);
    expect(enqueued[0]).toHaveLength(1);
    expect(counters.counts['notifications.unknownSubscription']).toBe(1);
  });

  it('still checks every item when our subscription ids cannot be read', async () => {
    const { deps, enqueued, counters } = someDeps({
      ourSubscriptionIds: async () => {
        throw new Error('table down');
      },
    });
    const result = await receive(aPost({ value: [aUserItem(), aUserItem({ clientState: 'guess' })] }), deps);
    expect(result).toMatchObject({ kind: 'accepted', enqueued: 1, dropped: 1, alarms: 0 });
    expect(enqueued[0]).toHaveLength(1);
    expect(counters.counts['notifications.unknownSubscription']).toBe(1);
  });

  it('drops items the worker cannot act on: other resources, ids that are not GUIDs', async () => {
    const { deps, enqueued, counters } = someDeps();
    const items = [
      aUserItem({ resource: 'Devices/abc', resourceData: null }),
      aUserItem({ resource: 'Users/not-a-guid', resourceData: null }),
    ];
    const result = await receive(aPost({ value: items }), deps);
    expect(result).toMatchObject({ enqueued: 0, dropped: 2 });
    expect(enqueued).toEqual([]);
    expect(counters.counts['notifications.dropped.unsupportedItem']).toBe(2);
  });

  it('leaves out a change type Graph adds later instead of failing the batch', async () => {
    const { deps, enqueued } = someDeps();
    await receive(aPost({ value: [aUserItem({ changeType: 'sparkled' })] }), deps);
    expect(enqueued[0]?.[0]).not.toHaveProperty('changeType');
  });

  it('answers 503 when the enqueue fails, so Graph retries', async () => {
    const { deps, counters } = someDeps({
      enqueue: async () => {
        throw new Error('queue down');
      },
    });
    const result = await receive(aPost({ value: [aUserItem()] }), deps);
    expect(result).toEqual({
      kind: 'rejected',
      status: 503,
      reason: 'the change queue is unavailable; retry later',
    });
    expect(counters.counts['notifications.enqueueFailed']).toBe(1);
    expect(counters.counts['notifications.enqueued']).toBeUndefined();
  });

  it('answers 202 without touching the queue when every item is dropped', async () => {
    const enqueue = vi.fn(async () => undefined);
    const { deps } = someDeps({ enqueue });
    const result = await receive(aPost({ value: [aUserItem({ clientState: 'x' })] }), deps);
    expect(result.kind).toBe('accepted');
    expect(enqueue).not.toHaveBeenCalled();
  });
});
