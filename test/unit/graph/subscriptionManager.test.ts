import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import { GraphClient } from '../../../src/graph/graphClient.js';
import type { HttpRequest, HttpResponse } from '../../../src/graph/httpsSend.js';
import { SubscriptionManager } from '../../../src/graph/subscriptionManager.js';
import type { SubscriptionRegistry } from '../../../src/graph/subscriptionRegistry.js';
import type { SubscriptionStore } from '../../../src/state/index.js';
import { FakeClock } from '../../fakes/fakeClock.js';
import { InMemorySubscriptionRegistry } from '../../fakes/inMemorySubscriptionRegistry.js';

const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const URLS = {
  n: 'https://app.test/api/graph/notifications?code=k',
  l: 'https://app.test/api/graph/lifecycle?code=k',
};

const RECORD = {
  changeType: 'updated,deleted',
  expiresAt: 0,
  notificationUrl: URLS.n,
  lifecycleNotificationUrl: URLS.l,
  clientStateVersion: 'current',
  createdAt: 0,
};

type Handler = (request: HttpRequest, body: Record<string, unknown>) => HttpResponse | undefined;

function setup(handler: Handler) {
  const log: string[] = [];
  const graph = new GraphClient({
    baseUrl: 'https://graph.test',
    credential,
    retry: { maxAttempts: 1 },
    send: async (request) => {
      log.push(`${request.method} ${request.url.pathname}`);
      const body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
      return handler(request, body) ?? { status: 500, headers: {}, text: '' };
    },
  });
  const registry = new InMemorySubscriptionRegistry();
  const clock = new FakeClock(Date.UTC(2026, 10, 26, 4, 0, 0));
  const manager = new SubscriptionManager(graph, registry, clock, {
    notificationUrl: URLS.n,
    lifecycleNotificationUrl: URLS.l,
    clientState: new Secret('cs'),
  });
  return { manager, registry, log };
}

const created = (id: string, body: Record<string, unknown>): HttpResponse => ({
  status: 201,
  headers: {},
  text: JSON.stringify({ id, ...body }),
});
const error = (status: number, code: string, message: string): HttpResponse => ({
  status,
  headers: {},
  text: JSON.stringify({ error: { code, message } }),
});

describe('SubscriptionManager (fake Graph)', () => {
  it('asks for now + 41,700 minutes, and for less when Graph names a lower ceiling', async () => {
    const asked: string[] = [];
    const { manager } = setup((req, body) => {
      if (req.method !== 'POST') return undefined;
      asked.push(String(body.expirationDateTime));
      if (asked.length === 1)
        return error(
          400,
          'ExtensionError',
          'Subscription expiration can only be 4230 minutes in the future.',
        );
      return created(`sub-${asked.length}`, body);
    });

    const outcomes = await manager.ensure();

    expect(outcomes.map((o) => o.outcome)).toEqual(['created', 'created']);
    expect(asked[0]).toBe(new Date(Date.UTC(2026, 10, 26, 4, 0, 0) + 41_700 * 60_000).toISOString());
    expect(asked[1]).toBe(new Date(Date.UTC(2026, 10, 26, 4, 0, 0) + 4_225 * 60_000).toISOString());
  });

  it('on 409 deletes the subscription Graph names, even when the listing has several on the resource', async () => {
    let posts = 0;
    const { manager, log } = setup((req, body) => {
      if (req.method === 'POST') {
        posts += 1;
        return posts === 1
          ? error(
              409,
              'ExtensionError',
              'Subscription Id 0000aaaa-0000-4000-8000-000000000002 already exists for the requested combination',
            )
          : created(`new-${posts}`, body);
      }
      if (req.method === 'GET') {
        const sub = (id: string) => ({
          id,
          resource: '/users',
          changeType: 'updated,deleted',
          notificationUrl: 'https://x',
          expirationDateTime: '',
        });
        return {
          status: 200,
          headers: {},
          text: JSON.stringify({
            value: [sub('0000aaaa-0000-4000-8000-000000000001'), sub('0000aaaa-0000-4000-8000-000000000002')],
          }),
        };
      }
      if (req.method === 'DELETE') return { status: 204, headers: {}, text: '' };
      return undefined;
    });

    const [users] = await manager.ensure();

    expect(users).toMatchObject({ outcome: 'takenOver', replacedId: '0000aaaa-0000-4000-8000-000000000002' });
    expect(log).toContain('DELETE /v1.0/subscriptions/0000aaaa-0000-4000-8000-000000000002');
    expect(log).not.toContain('DELETE /v1.0/subscriptions/0000aaaa-0000-4000-8000-000000000001');
  });

  it('recreates when renewal answers 403 (an id in our table that another app owns)', async () => {
    const { manager, registry } = setup((req, body) => {
      if (req.method === 'PATCH') return error(403, 'ExtensionError', 'Operation not permitted');
      if (req.method === 'POST') return created(`fresh-${String(body.resource).slice(1)}`, body);
      return undefined;
    });
    for (const resource of ['/users', '/groups']) {
      await registry.put({
        ...RECORD,
        id: `old${resource}`,
        resource,
      });
    }

    const outcomes = await manager.ensure();

    expect(outcomes).toMatchObject([
      { outcome: 'recreated', replacedId: 'old/users', id: 'fresh-users' },
      { outcome: 'recreated', replacedId: 'old/groups', id: 'fresh-groups' },
    ]);
    expect(registry.ids().sort()).toEqual(['fresh-groups', 'fresh-users']);
  });

  it('sends the clientState and both URLs, and never puts them in outcomes', async () => {
    const bodies: Record<string, unknown>[] = [];
    const { manager } = setup((req, body) => {
      bodies.push(body);
      return req.method === 'POST' ? created('s', body) : undefined;
    });

    const outcomes = await manager.ensure();

    expect(bodies[0]).toMatchObject({
      changeType: 'updated,deleted',
      resource: '/users',
      clientState: 'cs',
      notificationUrl: URLS.n,
      lifecycleNotificationUrl: URLS.l,
    });
    expect(JSON.stringify(outcomes)).not.toMatch(/code=k|"cs"/);
  });
  it('on 409 for a subscription a concurrent run just recorded as ours, renews it instead of deleting it', async () => {
    const taken = '0000aaaa-0000-4000-8000-000000000003';
    const { manager, registry, log } = setup((req, body) => {
      if (req.method === 'POST') {
        return error(
          409,
          'ExtensionError',
          `Subscription Id ${taken} already exists for the requested combination`,
        );
      }
      if (req.method === 'GET') {
        const value = [
          { id: taken, resource: '/users', changeType: 'updated,deleted', notificationUrl: URLS.n },
        ];
        return { status: 200, headers: {}, text: JSON.stringify({ value }) };
      }
      if (req.method === 'PATCH')
        return { status: 200, headers: {}, text: JSON.stringify({ id: taken, ...body }) };
      return undefined;
    });
    // The other run's record lands between our registry read and our create.
    const list = registry.list.bind(registry);
    let reads = 0;
    registry.list = async () => {
      reads += 1;
      if (reads === 2) await registry.put({ ...RECORD, id: taken, resource: '/users' });
      return list();
    };

    const [users] = await manager.ensure();

    expect(users).toMatchObject({ outcome: 'renewed', id: taken });
    expect(log.filter((l) => l.startsWith('DELETE'))).toEqual([]);
  });
});

describe('SubscriptionRegistry', () => {
  it('is implemented as is by the state layer’s SubscriptionStore (checked by tsc)', () => {
    expectTypeOf<SubscriptionStore>().toExtend<SubscriptionRegistry>();
  });
});
