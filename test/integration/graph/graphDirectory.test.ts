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
  it('reads a present user and the scope groups they belong to, over several checkMemberGroups calls', async () => {
    const read = await directory.readUser(userId(5));

    expect(read.presence).toBe('present');
    expect(read.user?.mailNickname).toBe('user5');
    expect([...read.groups].sort()).toEqual([G.scope[3], G.scope[22]].sort());
    expect((await env.calls())['POST /v1.0/users/{id}/checkMemberGroups']).toBe(2);
  });

  it('finds membership of a scope group through nesting (scope 23 ⊃ leaf ∋ user 1)', async () => {
    const read = await directory.readUser(userId(1));

    expect(read.groups).toEqual([G.scope[23]]);
  });

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

async function sendVia(env: GraphEnv, request: HttpRequest): Promise<HttpResponse> {
  const sender = httpsSender({ caPem: env.em.caPem });
  try {
    return await sender.send(request);
  } finally {
    sender.close();
  }
}
