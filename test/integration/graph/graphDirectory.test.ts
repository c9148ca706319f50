import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphDirectory } from '../../../src/graph/graphDirectory.js';
import { type HttpRequest, type HttpResponse, httpsSender } from '../../../src/graph/httpsSend.js';
import {
  DISABLED,
  G,
  type GraphEnv,
  GUEST,
  groupId,
  SOFT_DELETED,
  startGraphEnv,
  USER_COUNT,
  userId,
} from './graphEnv.js';

let env: GraphEnv;
let directory: GraphDirectory;

beforeAll(async () => {
  env = await startGraphEnv();
  directory = new GraphDirectory(env.graph, G.scope);
});
afterAll(() => env.close());
beforeEach(async () => {
  await env.control('POST', '/reset');
});

/** User 10 as every read should give it: the $select-only fields (accountEnabled, userType, mailNickname) too. */
const USER_10 = {
  id: userId(10),
  displayName: 'User 10',
  mail: null,
  userPrincipalName: 'user10@contoso.com',
  mailNickname: 'user10',
  userType: 'Member',
  accountEnabled: true,
};

describe('GraphDirectory.readAllUsers', () => {
  it('reads every user over more than one 999-item page, guests and disabled accounts included', async () => {
    const users = await directory.readAllUsers();

    expect(users).toHaveLength(USER_COUNT + 2);
    expect((await env.calls())['GET /v1.0/users']).toBe(2);
    expect(users.find((u) => u.id === GUEST)).toMatchObject({ userType: 'Guest', accountEnabled: true });
    expect(users.find((u) => u.id === DISABLED)).toMatchObject({ userType: 'Member', accountEnabled: false });
    expect(users.find((u) => u.id === SOFT_DELETED)).toBeUndefined();
  });

  it('gets the $select-only fields (accountEnabled, userType, mailNickname) — spec §7', async () => {
    const users = await directory.readAllUsers();

    expect(users.find((u) => u.id === userId(10))).toEqual(USER_10);
  });
});

describe('GraphDirectory.readGroupMembers', () => {
  it('flattens nested groups through transitiveMembers, users only', async () => {
    const read = await directory.readGroupMembers(G.top);

    expect(read.status).toBe('ok');
    expect(read.status === 'ok' && [...read.members].sort()).toEqual(
      [userId(1), userId(2), userId(3), userId(4)].sort(),
    );
  });

  it('pages a group larger than 999 members', async () => {
    const read = await directory.readGroupMembers(G.big);

    expect(read.status === 'ok' && read.members.length).toBe(1_010);
    expect((await env.calls())['GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user']).toBe(2);
  });

  it('brings every member’s profile, $select-only fields included, with no other call', async () => {
    const read = await directory.readGroupMembers(G.big);

    expect(read.status === 'ok' && read.users.length).toBe(1_010);
    expect(read.status === 'ok' && read.users.map((u) => u.id).sort()).toEqual(
      read.status === 'ok' && [...read.members].sort(),
    );
    expect(read.status === 'ok' && read.users.find((u) => u.id === userId(10))).toEqual(USER_10);
    const graphCalls = Object.entries(await env.calls()).filter(([route]) => route.includes(' /v1.0/'));
    expect(graphCalls).toEqual([['GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user', 2]]);
  });

  it('answers notFound for a group that does not exist', async () => {
    expect(await directory.readGroupMembers(groupId(777))).toEqual({ status: 'notFound' });
  });

  it('answers failed, with the message, when a later page fails', async () => {
    const route = 'GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user';
    // After the first page arrives, every further call to the route is throttled past the retry bound.
    const failing = env.clientFor({
      retry: { maxAttempts: 2, baseMs: 1, capMs: 1 },
      send: async (request) => {
        const response = await sendVia(env, request);
        if (response.status === 200 && request.url.searchParams.has('$skiptoken') === false) {
          await env.control('POST', '/throttle', { route, count: 10, retryAfter: 0 });
        }
        return response;
      },
    });

    const read = await new GraphDirectory(failing, G.scope).readGroupMembers(G.big);

    expect(read.status).toBe('failed');
    expect(read.status === 'failed' && read.message).toMatch(/429 TooManyRequests/);
  });
});

describe('GraphDirectory.readUser', () => {
  const TRANSITIVE = 'GET /v1.0/users/{id}/transitiveMemberOf/microsoft.graph.group';
  const CHECK = 'POST /v1.0/users/{id}/checkMemberGroups';
  const graphCalls = async () =>
    Object.fromEntries(Object.entries(await env.calls()).filter(([route]) => route.includes(' /v1.0/')));

  it('with more than 20 scope groups, reads the user and one transitiveMemberOf page: 2 calls', async () => {
    const read = await directory.readUser(userId(5));

    expect(read.presence).toBe('present');
    expect(read.user?.mailNickname).toBe('user5');
    expect([...read.groups].sort()).toEqual([G.scope[3], G.scope[22]].sort());
    expect(await graphCalls()).toEqual({ 'GET /v1.0/users/{id}': 1, [TRANSITIVE]: 1 });
  });

  it('finds membership of a scope group through nesting (scope 23 ⊃ leaf ∋ user 1)', async () => {
    const read = await directory.readUser(userId(1));

    expect(read.groups).toEqual([G.scope[23]]);
  });

  it('finds a scope group two levels up (top ⊃ mid ⊃ leaf ∋ user 1), scope ids matched case-insensitively', async () => {
    const upper = new GraphDirectory(
      env.graph,
      [...G.scope, G.top].map((id) => id.toUpperCase()),
    );

    const read = await upper.readUser(userId(1));

    expect([...read.groups].sort()).toEqual([G.scope[23], G.top].sort());
    expect((await graphCalls())[TRANSITIVE]).toBe(1);
  });

  it('with 20 scope groups or fewer, reads the user and makes one checkMemberGroups call', async () => {
    const twenty = new GraphDirectory(env.graph, G.scope.slice(4, 24));

    const direct = await twenty.readUser(userId(5));
    const nested = await twenty.readUser(userId(1));

    expect(direct.groups).toEqual([G.scope[22]]);
    expect(nested.groups).toEqual([G.scope[23]]);
    expect(await graphCalls()).toEqual({ 'GET /v1.0/users/{id}': 2, [CHECK]: 2 });
  });

  it.each([
    ['more than 20', G.scope, TRANSITIVE],
    ['20', G.scope.slice(0, 20), CHECK],
  ])(
    'with %s scope groups, a user soft-deleted between the two calls reads as softDeleted',
    async (_, scope, groupCall) => {
      const read = await readingWhileDeleting(scope, userId(9), { purge: false });

      expect(read).toEqual({ presence: 'softDeleted', groups: [] });
      expect((await graphCalls())[groupCall]).toBe(1);
    },
  );

  it.each([
    ['more than 20', G.scope, TRANSITIVE],
    ['20', G.scope.slice(0, 20), CHECK],
  ])(
    'with %s scope groups, a user purged between the two calls reads as absent, hardDeleted once confirmed',
    async (_, scope, groupCall) => {
      const absent = await readingWhileDeleting(scope, userId(9), { purge: true });
      await env.control('POST', '/reset');
      const confirmed = await readingWhileDeleting(scope, userId(9), {
        purge: true,
        confirmedHardDelete: true,
      });

      expect(absent).toEqual({ presence: 'absent', groups: [] });
      expect(confirmed).toEqual({ presence: 'hardDeleted', groups: [] });
      expect((await graphCalls())[groupCall]).toBe(1);
    },
  );

  it('reads a 404 user found in deletedItems as softDeleted', async () => {
    expect(await directory.readUser(SOFT_DELETED)).toEqual({ presence: 'softDeleted', groups: [] });
  });

  it('reads a 404 user missing from deletedItems as absent, never hardDeleted', async () => {
    await env.admin.request('DELETE', `/users/${userId(8)}`);
    await env.admin.request('DELETE', `/directory/deletedItems/${userId(8)}`);

    expect(await directory.readUser(userId(8))).toEqual({ presence: 'absent', groups: [] });
    expect(await directory.readUser(userId(8), { confirmedHardDelete: true })).toEqual({
      presence: 'hardDeleted',
      groups: [],
    });
  });

  it('a user soft-deleted after the first read is softDeleted on the next', async () => {
    expect((await directory.readUser(userId(9))).presence).toBe('present');
    await env.admin.request('DELETE', `/users/${userId(9)}`);

    expect((await directory.readUser(userId(9))).presence).toBe('softDeleted');
  });
});

/** `readUser` through a transport that deletes the user right after the profile read answers. */
async function readingWhileDeleting(
  scope: readonly string[],
  id: string,
  options: { purge: boolean; confirmedHardDelete?: boolean },
) {
  const graph = env.clientFor({
    send: async (request) => {
      const response = await sendVia(env, request);
      if (request.method === 'GET' && request.url.pathname === `/v1.0/users/${id}`) {
        await env.admin.request('DELETE', `/users/${id}`);
        if (options.purge) await env.admin.request('DELETE', `/directory/deletedItems/${id}`);
      }
      return response;
    },
  });
  const { confirmedHardDelete } = options;
  return new GraphDirectory(graph, scope).readUser(id, confirmedHardDelete ? { confirmedHardDelete } : {});
}

async function sendVia(env: GraphEnv, request: HttpRequest): Promise<HttpResponse> {
  const sender = httpsSender({ caPem: env.em.caPem });
  try {
    return await sender.send(request);
  } finally {
    sender.close();
  }
}
