import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import { GraphApiError } from '../../../src/graph/graphApiError.js';
import { SubscriptionManager } from '../../../src/graph/subscriptionManager.js';
import { InMemorySubscriptionRegistry } from '../../fakes/inMemorySubscriptionRegistry.js';
import { type GraphEnv, NotificationReceiver, startGraphEnv } from './graphEnv.js';

interface EmulatedSubscription {
  id: string;
  resource: string;
  changeType: string;
  clientState: string | null;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
}

const realClock = { now: () => Date.now() };
let env: GraphEnv;
let receiver: NotificationReceiver;
let registry: InMemorySubscriptionRegistry;

beforeAll(async () => {
  env = await startGraphEnv();
  receiver = await new NotificationReceiver().start();
});
afterAll(async () => {
  await receiver.close();
  await env.close();
});
beforeEach(async () => {
  await env.control('POST', '/reset');
  registry = new InMemorySubscriptionRegistry();
  receiver.answerValidation = true;
});
afterEach(() => {
  receiver.validations.length = 0;
});

function manager(
  clientState = 'client-state-1',
  urls = { n: receiver.notificationUrl, l: receiver.lifecycleUrl },
) {
  return new SubscriptionManager(env.graph, registry, realClock, {
    notificationUrl: urls.n,
    lifecycleNotificationUrl: urls.l,
    clientState: new Secret(clientState),
  });
}

async function onGraph(): Promise<EmulatedSubscription[]> {
  return (await env.control<{ subscriptions: EmulatedSubscription[] }>('GET', '/state')).subscriptions;
}

describe('SubscriptionManager.ensure', () => {
  it('creates one /users and one /groups subscription with both URLs, the clientState and ~41,700 minutes', async () => {
    const before = Date.now();

    const outcomes = await manager().ensure();

    expect(outcomes.map((o) => [o.resource, o.outcome])).toEqual([
      ['/users', 'created'],
      ['/groups', 'created'],
    ]);
    const subs = await onGraph();
    expect(subs.map((s) => s.resource).sort()).toEqual(['/groups', '/users']);
    for (const s of subs) {
      expect(s).toMatchObject({
        changeType: 'updated,deleted',
        clientState: 'client-state-1',
        notificationUrl: receiver.notificationUrl,
        lifecycleNotificationUrl: receiver.lifecycleUrl,
      });
      const minutes = (Date.parse(s.expirationDateTime) - before) / 60_000;
      expect(minutes).toBeGreaterThan(41_699);
      expect(minutes).toBeLessThan(41_760);
    }
    expect(registry.ids().sort()).toEqual(subs.map((s) => s.id).sort());
    // Both URLs answered the handshake for each subscription (spec §1).
    expect(receiver.validations.filter((p) => p.endsWith('/lifecycle'))).toHaveLength(2);
  });

  it('renews its own subscriptions on the next run instead of creating new ones', async () => {
    const first = await manager().ensure();
    await env.control('DELETE', '/calls');

    const second = await manager().ensure();

    expect(second.map((o) => o.outcome)).toEqual(['renewed', 'renewed']);
    expect(second.map((o) => o.id)).toEqual(first.map((o) => o.id));
    const calls = await env.calls();
    expect(calls['POST /v1.0/subscriptions']).toBeUndefined();
    expect(calls['PATCH /v1.0/subscriptions/{id}']).toBe(2);
    expect(await onGraph()).toHaveLength(2);
  });

  it('recreates a subscription that expired (PATCH answers 404)', async () => {
    const [users, groups] = await manager().ensure();
    await env.control('POST', `/subscriptions/${users?.id}/expire`);

    const outcomes = await manager().ensure();

    expect(outcomes[0]).toMatchObject({ resource: '/users', outcome: 'recreated', replacedId: users?.id });
    expect(outcomes[1]).toMatchObject({ resource: '/groups', outcome: 'renewed', id: groups?.id });
    expect(registry.ids()).not.toContain(users?.id);
    expect(await onGraph()).toHaveLength(2);
  });

  it('takes over after lost state: 409 on create, the unknown subscription is deleted and replaced', async () => {
    const old = await manager().ensure();
    registry.clear();

    const outcomes = await manager().ensure();

    expect(outcomes.map((o) => o.outcome)).toEqual(['takenOver', 'takenOver']);
    expect(outcomes.map((o) => (o.outcome === 'takenOver' ? o.replacedId : ''))).toEqual(
      old.map((o) => o.id),
    );
    const ids = (await onGraph()).map((s) => s.id).sort();
    expect(ids).toEqual(outcomes.map((o) => o.id).sort());
    expect(registry.ids().sort()).toEqual(ids);
  });

  it('does not count a registered subscription whose URLs are not ours: it is replaced', async () => {
    const elsewhere = manager('client-state-1', {
      n: receiver.notificationUrl.replace('code=fn-key', 'code=old-key'),
      l: receiver.lifecycleUrl.replace('code=fn-key', 'code=old-key'),
    });
    const stale = await elsewhere.ensure();

    const outcomes = await manager().ensure();

    expect(outcomes.map((o) => o.outcome)).toEqual(['takenOver', 'takenOver']);
    expect(outcomes.map((o) => (o.outcome === 'takenOver' ? o.replacedId : ''))).toEqual(
      stale.map((o) => o.id),
    );
    for (const s of await onGraph()) expect(s.notificationUrl).toBe(receiver.notificationUrl);
  });

  it('fails like Graph when the endpoint does not answer the handshake, and records nothing', async () => {
    receiver.answerValidation = false;

    const error = await manager()
      .ensure()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ status: 400, retryable: false });
    expect((error as GraphApiError).graphMessage).toMatch(/validation request failed/);
    expect(registry.ids()).toEqual([]);
    expect(await onGraph()).toEqual([]);
  });
});

describe('SubscriptionManager.rotate and list', () => {
  it('recreates each subscription with the new clientState', async () => {
    const old = await manager('client-state-1').ensure();

    const outcomes = await manager('client-state-2').rotate();

    expect(outcomes.map((o) => o.outcome)).toEqual(['rotated', 'rotated']);
    const subs = await onGraph();
    expect(subs.map((s) => s.clientState)).toEqual(['client-state-2', 'client-state-2']);
    expect(subs.map((s) => s.id)).not.toContain(old[0]?.id);
    expect(registry.ids().sort()).toEqual(subs.map((s) => s.id).sort());
  });

  it('lists the app subscriptions, marks ours and hides the function key', async () => {
    await manager().ensure();
    const foreign = await env.graph.request<{ id: string }>('POST', '/subscriptions', {
      body: {
        changeType: 'updated',
        resource: '/groups',
        notificationUrl: receiver.notificationUrl,
        expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
        clientState: 'someone-else',
      },
    });

    const listed = await manager().list();

    expect(listed).toHaveLength(3);
    expect(listed.filter((s) => s.ours)).toHaveLength(2);
    expect(listed.find((s) => s.id === foreign.id)?.ours).toBe(false);
    expect(listed.every((s) => !s.notificationUrl.includes('fn-key'))).toBe(true);
  });
});
