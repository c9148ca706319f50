import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Seed } from '../../../emulators/graph/index.js';
import { call, type Env, startEnv, tokenFor } from './helpers.js';

const user = (n: number) => `bbbbbbbb-0000-4000-8000-${String(n).padStart(12, '0')}`;
const group = (n: number) => `cccccccc-0000-4000-8000-${String(n).padStart(12, '0')}`;
const U = { ana: user(1), ben: user(2), cy: user(3), gone: user(4), dee: user(5) };
/** leaf ∋ ana, mid ∋ leaf, top ∋ mid: two levels of nesting; loopA ∋ ana and loopA ⇄ loopB, a cycle. */
const G = {
  leaf: group(1),
  mid: group(2),
  top: group(3),
  loopA: group(4),
  loopB: group(5),
  deleted: group(6),
  unified: group(7),
};
const BULK = Array.from({ length: 1_005 }, (_, i) => group(1_000 + i));
const app = (n: number, roles: string[]) => ({
  clientId: `dddddddd-0000-4000-8000-${String(n).padStart(12, '0')}`,
  clientSecret: `secret-${n}`,
  roles,
});
/** The least-privileged reader first (the default token), then the admin, then one app per role. */
const APPS = [
  app(1, ['User.Read.All']),
  app(2, [
    'User.ReadWrite.All',
    'Group.ReadWrite.All',
    'GroupMember.ReadWrite.All',
    'Directory.ReadWrite.All',
  ]),
  app(3, ['GroupMember.Read.All']),
  app(4, ['Group.Read.All']),
  app(5, ['Directory.Read.All']),
  app(6, ['Application.Read.All']),
];

const seed: Seed = {
  domains: ['contoso.com'],
  apps: APPS,
  users: [
    { id: U.ana, displayName: 'Ana', userPrincipalName: 'ana@contoso.com' },
    { id: U.ben, displayName: 'Ben', userPrincipalName: 'ben@contoso.com' },
    { id: U.cy, displayName: 'Cy', userPrincipalName: 'cy@contoso.com' },
    { id: U.gone, displayName: 'Gone', userPrincipalName: 'gone@contoso.com', deleted: true },
    { id: U.dee, displayName: 'Dee', userPrincipalName: 'dee@contoso.com' },
  ],
  groups: [
    { id: G.leaf, displayName: 'Leaf', members: [U.ana, U.gone] },
    { id: G.mid, displayName: 'Mid', members: [G.leaf] },
    { id: G.top, displayName: 'Top', members: [G.mid] },
    { id: G.loopA, displayName: 'Loop A', members: [U.ana, G.loopB] },
    { id: G.loopB, displayName: 'Loop B', members: [G.loopA] },
    {
      id: G.deleted,
      displayName: 'Deleted',
      groupTypes: ['Unified'],
      mailEnabled: true,
      members: [U.ana],
      deleted: true,
    },
    {
      id: G.unified,
      displayName: 'Unified',
      groupTypes: ['Unified'],
      mailEnabled: true,
      members: [U.cy],
    },
    ...BULK.map((id, i) => ({ id, displayName: `Bulk ${i}`, members: [U.ben] })),
  ],
};

let env: Env;
beforeAll(async () => {
  env = await startEnv({ seed });
});
afterAll(() => env.em.close());

const get = (path: string, headers: Record<string, string> = {}) =>
  call(env.em, 'GET', path, { token: env.reader, headers });
const ids = (r: { json: { value: Array<{ id: string }> } }) => r.json.value.map((g) => g.id).sort();
const cast = (id: string, query = '') => `/v1.0/users/${id}/transitiveMemberOf/microsoft.graph.group${query}`;

describe('GET /users/{id}/transitiveMemberOf/microsoft.graph.group', () => {
  it('lists groups reached directly and through two levels of nesting, each once despite a cycle', async () => {
    const r = await get(cast(U.ana));

    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(
      `${env.em.url}/v1.0/$metadata#directoryObjects/microsoft.graph.group`,
    );
    expect(ids(r)).toEqual([G.leaf, G.mid, G.top, G.loopA, G.loopB].sort());
    expect(r.json.value).toHaveLength(5);
    for (const g of r.json.value) expect(g['@odata.type']).toBe('#microsoft.graph.group');
    expect(r.json.value.find((g: { id: string }) => g.id === G.top)).toMatchObject({
      displayName: 'Top',
      securityEnabled: true,
    });
  });

  it('leaves soft-deleted groups out, and answers an empty list for a user in no group', async () => {
    const ana = await get(cast(U.ana, '?$select=id'));
    const dee = await get(cast(U.dee));

    expect(ids(ana)).not.toContain(G.deleted);
    expect(dee.status).toBe(200);
    expect(dee.json.value).toEqual([]);
  });

  it('drops a Microsoft 365 group once it is soft-deleted', async () => {
    const { em } = await startEnv({ seed });
    const admin = await tokenFor(em, APPS[1]?.clientId ?? '', APPS[1]?.clientSecret ?? '');
    const reader = await tokenFor(em, em.clientId, em.clientSecret);
    try {
      const before = await call(em, 'GET', cast(U.cy, '?$select=id'), { token: reader });
      const deleted = await call(em, 'DELETE', `/v1.0/groups/${G.unified}`, { token: admin });
      const inBin = await call(em, 'GET', `/v1.0/directory/deletedItems/${G.unified}`, { token: admin });
      const after = await call(em, 'GET', cast(U.cy, '?$select=id'), { token: reader });

      expect(ids(before)).toEqual([G.unified]);
      expect([deleted.status, inBin.status]).toEqual([204, 200]);
      expect(after.json.value).toEqual([]);
    } finally {
      await em.close();
    }
  });

  it('answers the same groups on the untyped listing, and finds a user by userPrincipalName', async () => {
    const untyped = await get(`/v1.0/users/${U.ana}/transitiveMemberOf?$select=id`);
    const byUpn = await get(cast('ana@contoso.com', '?$select=id'));

    expect(untyped.json['@odata.context']).toBe(`${env.em.url}/v1.0/$metadata#directoryObjects`);
    expect(ids(untyped)).toEqual([G.leaf, G.mid, G.top, G.loopA, G.loopB].sort());
    expect(ids(byUpn)).toEqual(ids(untyped));
  });

  it('returns exactly the $select-ed group properties plus id and @odata.type', async () => {
    const r = await get(cast(U.ana, '?$select=id,displayName'));

    expect(r.status).toBe(200);
    for (const g of r.json.value) expect(Object.keys(g).sort()).toEqual(['@odata.type', 'displayName', 'id']);
  });

  it.each([
    ['a user property on the group cast', cast(U.ana, '?$select=id,accountEnabled')],
    ['an unknown property on the group cast', cast(U.ana, '?$select=nope')],
    ['an unknown property on the untyped listing', `/v1.0/users/${U.ana}/transitiveMemberOf?$select=nope`],
  ])('rejects %s in $select with 400 Request_BadRequest', async (_, path) => {
    const r = await get(path);

    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('Request_BadRequest');
  });

  it('pages past 999 with $top=999, the nextLink keeping the query', async () => {
    const seen: string[] = [];
    const sizes: number[] = [];
    let next: string | undefined = cast(U.ben, '?$select=id&$top=999');
    while (next) {
      const r = await get(next);
      expect(r.status).toBe(200);
      for (const g of r.json.value) expect(Object.keys(g).sort()).toEqual(['@odata.type', 'id']);
      seen.push(...r.json.value.map((g: { id: string }) => g.id));
      sizes.push(r.json.value.length);
      next = r.json['@odata.nextLink'];
      if (next) expect(next).toMatch(/\$select=id&\$top=999&\$skiptoken=/);
    }

    expect(sizes).toEqual([999, 6]);
    expect(new Set(seen).size).toBe(1_005);
    expect([...seen].sort()).toEqual([...BULK].sort());
  });

  it('answers 100 a page without $top', async () => {
    const r = await get(cast(U.ben));

    expect(r.json.value).toHaveLength(100);
    expect(r.json['@odata.nextLink']).toContain('$skiptoken=');
  });

  it.each(['0', '1000', 'x'])('rejects $top=%s with 400, before looking the user up', async (top) => {
    const known = await get(cast(U.ben, `?$top=${top}`));
    const unknown = await get(cast(user(999), `?$top=${top}`));

    expect([known.status, unknown.status]).toEqual([400, 400]);
    expect(known.json.error.code).toBe('Request_BadRequest');
  });

  it.each([
    ['an unknown user', user(999)],
    ['a soft-deleted user', U.gone],
  ])('answers 404 Request_ResourceNotFound for %s, like GET /users/{id}', async (_, id) => {
    const listing = await get(cast(id));
    const untyped = await get(`/v1.0/users/${id}/transitiveMemberOf`);
    const profile = await get(`/v1.0/users/${id}`);

    expect([listing.status, untyped.status, profile.status]).toEqual([404, 404, 404]);
    expect(listing.json.error.code).toBe('Request_ResourceNotFound');
    expect(untyped.json.error.code).toBe('Request_ResourceNotFound');
  });

  it.each([
    `$filter=${encodeURIComponent("displayName eq 'Top'")}`,
    '$search=%22displayName:Top%22',
    '$count=true',
    '$orderby=displayName',
    '$expand=members',
  ])('rejects %s without ConsistencyLevel: eventual with 400 Request_UnsupportedQuery', async (query) => {
    const typed = await get(cast(U.ana, `?${query}`));
    const untyped = await get(`/v1.0/users/${U.ana}/transitiveMemberOf?${query}`);

    expect([typed.status, untyped.status]).toEqual([400, 400]);
    expect(typed.json.error.code).toBe('Request_UnsupportedQuery');
  });

  it('rejects advanced queries with ConsistencyLevel: eventual too (not emulated)', async () => {
    const r = await get(cast(U.ana, `?$count=true&$filter=${encodeURIComponent("displayName eq 'Top'")}`), {
      ConsistencyLevel: 'eventual',
    });

    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('Request_UnsupportedQuery');
  });

  it.each([
    ['User.Read.All', 0],
    ['GroupMember.Read.All', 2],
    ['Group.Read.All', 3],
    ['Directory.Read.All', 4],
    ['Directory.ReadWrite.All (with the other write roles)', 1],
  ])('accepts an app holding %s', async (_, index) => {
    const a = APPS[index] ?? APPS[0];
    const token = await tokenFor(env.em, a?.clientId ?? '', a?.clientSecret ?? '');

    const typed = await call(env.em, 'GET', cast(U.ana, '?$select=id'), { token });
    const untyped = await call(env.em, 'GET', `/v1.0/users/${U.ana}/transitiveMemberOf?$select=id`, {
      token,
    });

    expect([typed.status, untyped.status]).toEqual([200, 200]);
  });

  it('refuses an app without a user, group or directory read role with 403', async () => {
    const token = await tokenFor(env.em, APPS[5]?.clientId ?? '', APPS[5]?.clientSecret ?? '');

    const r = await call(env.em, 'GET', cast(U.ana), { token });

    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('Authorization_RequestDenied');
  });
});
