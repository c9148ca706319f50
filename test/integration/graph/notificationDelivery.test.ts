import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import {
  type ChangeNotification,
  checkItem,
  parseLifecycleCollection,
  parseNotificationCollection,
} from '../../../src/graph/notifications.js';
import { SubscriptionManager } from '../../../src/graph/subscriptionManager.js';
import { InMemorySubscriptionRegistry } from '../../fakes/inMemorySubscriptionRegistry.js';
import { G, type GraphEnv, NotificationReceiver, startGraphEnv, userId, waitUntil } from './graphEnv.js';

let env: GraphEnv;
let receiver: NotificationReceiver;
const registry = new InMemorySubscriptionRegistry();
const clientState = new Secret('delivery-client-state');

beforeAll(async () => {
  env = await startGraphEnv();
  receiver = await new NotificationReceiver().start();
});
afterAll(async () => {
  await receiver.close();
  await env.close();
});

function parsedItems(): ChangeNotification[] {
  return receiver.notifications().flatMap((body) => {
    const parsed = parseNotificationCollection(body);
    if (!parsed.ok) throw new Error(`${parsed.error.path}: ${parsed.error.message}`);
    return parsed.items;
  });
}

describe('change notifications from the emulator', () => {
  it('delivers a user change and a nested membership change to our receiver, and they parse and check', async () => {
    const manager = new SubscriptionManager(
      env.graph,
      registry,
      { now: () => Date.now() },
      {
        notificationUrl: receiver.notificationUrl,
        lifecycleNotificationUrl: receiver.lifecycleUrl,
        clientState,
      },
    );
    await manager.ensure();

    await env.admin.request('PATCH', `/users/${userId(1)}`, { body: { displayName: 'Adele Renamed' } });
    // Leaf sits inside Mid inside Top: the change is reported on Leaf, the group that changed.
    await env.admin.request('POST', `/groups/${G.leaf}/members/$ref`, {
      body: { '@odata.id': `${env.em.url}/v1.0/directoryObjects/${userId(20)}` },
    });

    const items = await waitUntil(() => {
      const all = parsedItems();
      const user = all.find((i) => i.kind === 'user' && i.objectId === userId(1));
      const group = all.find((i) => i.kind === 'group' && i.objectId === G.leaf && i.membersDelta);
      return user && group ? { user, group, all } : undefined;
    });

    expect(items.user).toMatchObject({ changeType: 'updated', resource: `Users/${userId(1)}` });
    expect(items.user.sequenceNumber).toMatch(/^\d{18,}$/);
    expect(items.group.membersDelta).toEqual([{ id: userId(20), removed: false }]);
    const context = { tenantId: env.em.tenantId, clientState, ourSubscriptionIds: registry.ids() };
    for (const item of items.all) {
      expect(checkItem(item, context)).toEqual({
        status: 'accepted',
        matched: 'current',
        knownSubscription: true,
      });
    }
    expect(checkItem(items.user, { ...context, clientState: new Secret('other') })).toMatchObject({
      status: 'rejected',
      reason: 'wrongClientState',
      knownSubscription: true,
    });
  });

  it('delivers a lifecycle event that parses', async () => {
    const [subscription] = await registry.list();
    await env.control('POST', `/subscriptions/${subscription?.id}/lifecycle`, {
      event: 'reauthorizationRequired',
    });

    const body = await waitUntil(() => receiver.lifecycle()[0]);
    const parsed = parseLifecycleCollection(body);

    expect(parsed.ok && parsed.items).toEqual([
      expect.objectContaining({
        subscriptionId: subscription?.id,
        lifecycleEvent: 'reauthorizationRequired',
        clientState: 'delivery-client-state',
      }),
    ]);
  });
});
