import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import {
  type ChangeNotification,
  checkItem,
  parseLifecycleCollection,
  parseNotificationCollection,
} from '../../../src/graph/notifications.js';

const TENANT = '0b7d3c52-5d2f-4c55-9a1e-7c1f00000001';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

function items(text: string): ChangeNotification[] {
  const parsed = parseNotificationCollection(text);
  if (!parsed.ok) throw new Error(`${parsed.error.path}: ${parsed.error.message}`);
  return parsed.items;
}

function collection(item: Record<string, unknown>, count = 1): string {
  const base = {
    subscriptionId: 's-1',
    subscriptionExpirationDateTime: '2026-11-27T03:40:00.1230000Z',
    tenantId: TENANT,
    changeType: 'updated',
    resource: 'Users/11111111-1111-4111-8111-111111111111',
    clientState: 'cs',
  };
  return JSON.stringify({
    value: Array.from({ length: count }, (_, i) => (i === count - 1 ? { ...base, ...item } : base)),
  });
}

describe('parseNotificationCollection', () => {
  it('reads the observed user shape: capitalised type and resource, offset expiry, big sequenceNumber', () => {
    const [item] = items(fixture('user-updated-2018.json'));

    expect(item).toEqual({
      subscriptionId: '5a1f0e2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b',
      subscriptionExpirationDateTime: '2018-11-24T18:13:08.914+00:00',
      subscriptionExpiresAt: Date.UTC(2018, 10, 24, 18, 13, 8, 914),
      tenantId: TENANT,
      clientState: 'secretClientValue',
      changeType: 'updated',
      resource: 'Users/8e2a7f36-7c1a-4d2b-9f64-0b9a1b2c3d4e',
      kind: 'user',
      objectId: '8e2a7f36-7c1a-4d2b-9f64-0b9a1b2c3d4e',
      eventTime: '2018-11-22T01:47:00.2455823Z',
      eventAt: Date.UTC(2018, 10, 22, 1, 47, 0, 245),
      sequenceNumber: '636784480202455800',
    });
  });

  it('keeps a sequenceNumber beyond 2^53 exact (637628640120385565 would round in a JS number)', () => {
    const [item] = items(fixture('group-members-2021.json'));

    expect(String(JSON.parse('637628640120385565'))).not.toBe('637628640120385565');
    expect(item?.sequenceNumber).toBe('637628640120385565');
    expect(item?.subscriptionExpiresAt).toBe(Date.parse('2021-07-25T01:00:00.000Z'));
    expect(item?.eventTime).toBe('2021-07-22T11:13:32.0385565-07:00');
  });

  it('reads members@delta in order, with @removed as a string or as a delta-style object', () => {
    const [item] = items(fixture('group-members-2021.json'));

    expect(item).toMatchObject({ kind: 'group', objectId: '3f4e5d6c-7b8a-4c9d-8e0f-1a2b3c4d5e6f' });
    expect(item?.membersDelta).toEqual([
      { id: 'aaaaaaaa-0000-4000-8000-000000000001', removed: false },
      { id: 'aaaaaaaa-0000-4000-8000-000000000002', removed: true },
      { id: 'aaaaaaaa-0000-4000-8000-000000000002', removed: false },
      { id: 'aaaaaaaa-0000-4000-8000-000000000003', removed: true },
    ]);
  });

  it('reads a batch from several subscriptions: no resourceData, lower-case types, null clientState', () => {
    const [noData, deleted, other] = items(fixture('mixed-2025.json'));

    expect(noData).toMatchObject({ kind: 'user', objectId: '11111111-1111-4111-8111-111111111111' });
    expect(noData?.sequenceNumber).toBeUndefined();
    expect(deleted).toMatchObject({
      kind: 'group',
      changeType: 'deleted',
      objectId: '22222222-2222-4222-8222-222222222222',
    });
    expect(other).toMatchObject({
      kind: 'user',
      changeType: 'updated',
      tenantId: 'ffffffff-0000-4000-8000-000000000000',
    });
    expect(other?.clientState).toBeUndefined();
    expect(other?.subscriptionExpiresAt).toBe(Date.parse('2025-03-01T10:00:00Z'));
  });

  it('reads an unknown changeType as unknownFutureValue instead of failing the batch', () => {
    expect(items(collection({ changeType: 'archived' }))[0]?.changeType).toBe('unknownFutureValue');
  });

  it('names the exact path of a bad field', () => {
    const parsed = parseNotificationCollection(collection({ clientState: 42 }, 4));

    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.path).toBe('value[3].clientState');
  });

  it.each([
    ['a missing subscriptionId', { subscriptionId: undefined }, 'value[0].subscriptionId'],
    [
      'an unreadable expiry',
      { subscriptionExpirationDateTime: 'tomorrow' },
      'value[0].subscriptionExpirationDateTime',
    ],
    ['a lifecycle item', { changeType: undefined, lifecycleEvent: 'missed' }, 'value[0].changeType'],
    [
      'a bad member entry',
      { resourceData: { 'members@delta': [{ '@removed': 'deleted' }] } },
      'value[0].resourceData["members@delta"][0].id',
    ],
    [
      'a fractional sequenceNumber',
      { resourceData: { sequenceNumber: 1.5 } },
      'value[0].resourceData.sequenceNumber',
    ],
  ])('rejects %s', (_what, item, path) => {
    const parsed = parseNotificationCollection(collection(item));

    expect(!parsed.ok && parsed.error.path).toBe(path);
  });

  it('rejects a body that is not JSON or has no value array', () => {
    expect(parseNotificationCollection('{"value": [')).toMatchObject({ ok: false, error: { path: '' } });
    expect(parseNotificationCollection('{}')).toMatchObject({ ok: false, error: { path: 'value' } });
  });

  it('never echoes the clientState into an error', () => {
    const parsed = parseNotificationCollection(collection({ clientState: 'super-secret', tenantId: 7 }));

    expect(JSON.stringify(parsed)).not.toContain('super-secret');
  });
});

describe('parseLifecycleCollection', () => {
  it('reads every lifecycle event, the 2020 spelling `removed` included', () => {
    const parsed = parseLifecycleCollection(fixture('lifecycle.json'));

    expect(parsed.ok && parsed.items.map((i) => i.lifecycleEvent)).toEqual([
      'reauthorizationRequired',
      'subscriptionRemoved',
      'missed',
      'subscriptionRemoved',
    ]);
    expect(parsed.ok && parsed.items[0]?.subscriptionExpiresAt).toBe(Date.parse('2026-11-27T03:40:00.123Z'));
  });

  it('names the path of a missing lifecycleEvent', () => {
    const parsed = parseLifecycleCollection(collection({}, 2));

    expect(!parsed.ok && parsed.error.path).toBe('value[0].lifecycleEvent');
  });
});

describe('checkItem', () => {
  const context = {
    tenantId: TENANT,
    clientState: new Secret('current'),
    previousClientState: new Secret('previous'),
    ourSubscriptionIds: new Set(['s-1']),
  };
  const item = (over: Partial<ChangeNotification> = {}) =>
    ({ ...items(collection({}))[0], ...over }) as ChangeNotification;

  it('accepts the current and, during a rotation, the previous clientState', () => {
    expect(checkItem(item({ clientState: 'current' }), context)).toEqual({
      status: 'accepted',
      matched: 'current',
      knownSubscription: true,
    });
    expect(checkItem(item({ clientState: 'previous' }), context)).toMatchObject({
      status: 'accepted',
      matched: 'previous',
    });
  });

  it('rejects a wrong or missing clientState and another tenant, saying whether the subscription is ours', () => {
    expect(checkItem(item({ clientState: 'guess' }), context)).toEqual({
      status: 'rejected',
      reason: 'wrongClientState',
      knownSubscription: true,
    });
    const { clientState: _omit, ...withoutState } = item();
    expect(checkItem(withoutState, context)).toMatchObject({ reason: 'missingClientState' });
    expect(checkItem(item({ clientState: 'current', tenantId: 'other' }), context)).toMatchObject({
      reason: 'wrongTenant',
    });
    expect(
      checkItem(item({ clientState: 'previous' }), { ...context, previousClientState: undefined }),
    ).toMatchObject({
      reason: 'wrongClientState',
    });
  });

  it('accepts an unknown subscription with the right clientState but flags it', () => {
    expect(checkItem(item({ clientState: 'current', subscriptionId: 's-9' }), context)).toMatchObject({
      status: 'accepted',
      knownSubscription: false,
    });
  });

  it('compares the tenant case-insensitively', () => {
    expect(checkItem(item({ clientState: 'current', tenantId: TENANT.toUpperCase() }), context).status).toBe(
      'accepted',
    );
  });
});
