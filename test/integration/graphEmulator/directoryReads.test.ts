import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type Env, IDS, startEnv } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env.em.close());

const get = (path: string) => call(env.em, 'GET', path, { token: env.reader });

describe('users', () => {
  it('returns only the default properties without $select (accountEnabled, userType need $select)', async () => {
    const r = await get('/v1.0/users');

    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toBe(`${env.em.url}/v1.0/$metadata#users`);
    const adele = r.json.value.find((u: { id: string }) => u.id === IDS.adele);
    expect(adele).toMatchObject({
      displayName: 'Adele Vance',
      userPrincipalName: 'adele@contoso.com',
      businessPhones: [],
    });
    expect(adele).not.toHaveProperty('accountEnabled');
    expect(adele).not.toHaveProperty('userType');
  });

  it('returns exactly the $select-ed properties plus id', async () => {
    const r = await get('/v1.0/users?$select=displayName,accountEnabled,userType');

    expect(r.json['@odata.context']).toContain('#users(displayName,accountEnabled,userType)');
    expect(Object.keys(r.json.value[0]).sort()).toEqual(['accountEnabled', 'displayName', 'id', 'userType']);
  });

  it('rejects an unknown $select property with 400', async () => {
    const r = await get('/v1.0/users?$select=nope');

    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('Request_BadRequest');
  });

  it('pages with $top and opaque nextLinks that keep the query', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/v1.0/users?$top=2&$select=id,displayName';
    let pages = 0;
    while (next) {
      const r = await get(next);
      expect(r.status).toBe(200);
      seen.push(...r.json.value.map((u: { id: string }) => u.id));
      for (const u of r.json.value) expect(Object.keys(u).sort()).toEqual(['displayName', 'id']);
      next = r.json['@odata.nextLink'];
      if (next) expect(next).toContain('$skiptoken=');
      pages += 1;
    }

    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(6);
  });

  it('reports x-ms-resource-unit costs as spec §6 lists them', async () => {
    const users = await get('/v1.0/users');
    const transitive = await get(`/v1.0/groups/${IDS.engineering}/transitiveMembers`);
    const cheap = await get('/v1.0/users?$select=id&$top=5');

    expect([users, transitive, cheap].map((r) => r.headers['x-ms-resource-unit'])).toEqual(['2', '5', '1']);
    expect(users.headers['request-id']).toEqual(expect.any(String));
  });

  it('rejects $top over 999', async () => {
    expect((await get('/v1.0/users?$top=1000')).status).toBe(400);
  });

  it.each([
    [`id in ('${IDS.adele}','${IDS.alex}')`, [IDS.adele, IDS.alex]],
    ['accountEnabled eq false', [IDS.lynne]],
    ["startswith(displayName,'me')", [IDS.megan]],
    ["userType eq 'Guest'", [IDS.pat]],
    ["userType eq 'Member' and startswith(displayName,'A')", [IDS.adele, IDS.alex]],
  ])('supports $filter=%s', async (filter, expected) => {
    const r = await get(`/v1.0/users?$filter=${encodeURIComponent(filter)}`);

    expect(r.status).toBe(200);
    expect(r.json.value.map((u: { id: string }) => u.id).sort()).toEqual([...expected].sort());
  });

  it.each(["endswith(displayName,'x')", "displayName ne 'x'", "skills/any(s:s eq 'x')"])(
    'rejects unsupported $filter=%s with 400 Request_UnsupportedQuery',
    async (filter) => {
      const r = await get(`/v1.0/users?$filter=${encodeURIComponent(filter)}`);

      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('Request_UnsupportedQuery');
    },
  );

  it('gets a user by id and by a guest UPN containing #EXT#', async () => {
    const byId = await get(`/v1.0/users/${IDS.adele}?$select=id,userType`);
    const byUpn = await get(
      `/v1.0/users/${encodeURIComponent('pat_fabrikam.com#EXT#@contoso.onmicrosoft.com')}?$select=id,userType`,
    );

    expect(byId.json).toMatchObject({ id: IDS.adele, userType: 'Member' });
    expect(byId.json['@odata.context']).toContain('/$entity');
    expect(byUpn.json).toMatchObject({ id: IDS.pat, userType: 'Guest' });
  });

  it('returns 404 Request_ResourceNotFound for an unknown user', async () => {
    const r = await get('/v1.0/users/00000000-0000-4000-8000-000000000000');

    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('Request_ResourceNotFound');
  });
});

describe('groups and nesting', () => {
  it('lists direct members with @odata.type', async () => {
    const r = await get(`/v1.0/groups/${IDS.engineering}/members?$select=id,displayName`);

    expect(r.json.value).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: IDS.alex, displayName: 'Alex Wilber' },
      { '@odata.type': '#microsoft.graph.group', id: IDS.backend, displayName: 'Backend' },
    ]);
  });

  it('flattens nested members (depth 2) in transitiveMembers, and the user cast keeps users only', async () => {
    const all = await get(`/v1.0/groups/${IDS.engineering}/transitiveMembers?$select=id`);
    const users = await get(
      `/v1.0/groups/${IDS.engineering}/transitiveMembers/microsoft.graph.user?$select=id`,
    );

    expect(all.json.value.map((m: { id: string }) => m.id).sort()).toEqual(
      [IDS.alex, IDS.backend, IDS.megan, IDS.platform, IDS.isaiah].sort(),
    );
    expect(users.json.value.map((m: { id: string }) => m.id).sort()).toEqual(
      [IDS.alex, IDS.megan, IDS.isaiah].sort(),
    );
  });

  it('projects user properties $select-ed on the transitive user cast, $select-only ones included', async () => {
    const r = await get(
      `/v1.0/groups/${IDS.engineering}/transitiveMembers/microsoft.graph.user?$select=id,displayName,mailNickname,userType,accountEnabled`,
    );

    expect(r.status).toBe(200);
    expect(r.json.value.find((m: { id: string }) => m.id === IDS.alex)).toEqual({
      '@odata.type': '#microsoft.graph.user',
      id: IDS.alex,
      displayName: 'Alex Wilber',
      mailNickname: expect.any(String),
      userType: 'Member',
      accountEnabled: true,
    });
  });

  it('refuses a group property in $select on the user cast, and a user property on the group cast', async () => {
    const onUsers = await get(
      `/v1.0/groups/${IDS.engineering}/transitiveMembers/microsoft.graph.user?$select=id,securityEnabled`,
    );
    const onGroups = await get(
      `/v1.0/groups/${IDS.engineering}/transitiveMembers/microsoft.graph.group?$select=id,accountEnabled`,
    );

    expect([onUsers.status, onGroups.status]).toEqual([400, 400]);
  });

  it('lists the groups nested at any depth with the transitive group cast, paged', async () => {
    const ids: string[] = [];
    let next: string | undefined =
      `/v1.0/groups/${IDS.engineering}/transitiveMembers/microsoft.graph.group?$select=id&$top=1`;
    let pages = 0;
    while (next) {
      const r = await get(next);
      expect(r.status).toBe(200);
      for (const m of r.json.value) expect(m['@odata.type']).toBe('#microsoft.graph.group');
      ids.push(...r.json.value.map((m: { id: string }) => m.id));
      next = r.json['@odata.nextLink'];
      pages += 1;
    }

    expect(ids.sort()).toEqual([IDS.backend, IDS.platform].sort());
    expect(pages).toBe(2);
  });

  it('lists a user transitiveMemberOf through nesting', async () => {
    const r = await get(`/v1.0/users/${IDS.isaiah}/transitiveMemberOf?$select=id`);

    expect(r.json.value.map((g: { id: string }) => g.id).sort()).toEqual(
      [IDS.engineering, IDS.backend, IDS.platform].sort(),
    );
  });

  it('answers checkMemberGroups transitively and refuses more than 20 ids', async () => {
    const ok = await call(env.em, 'POST', `/v1.0/users/${IDS.isaiah}/checkMemberGroups`, {
      token: env.reader,
      body: { groupIds: [IDS.engineering, IDS.siteAdmins, IDS.platform] },
    });
    const tooMany = await call(env.em, 'POST', `/v1.0/users/${IDS.isaiah}/checkMemberGroups`, {
      token: env.reader,
      body: { groupIds: Array.from({ length: 21 }, () => IDS.engineering) },
    });

    expect(ok.json.value.sort()).toEqual([IDS.engineering, IDS.platform].sort());
    expect(tooMany.status).toBe(400);
  });

  it('filters groups by groupTypes/any and exposes isAssignableToRole', async () => {
    const unified = await get(
      `/v1.0/groups?$filter=${encodeURIComponent("groupTypes/any(c:c eq 'Unified')")}&$select=id`,
    );
    const admins = await get(`/v1.0/groups/${IDS.siteAdmins}?$select=isAssignableToRole,securityEnabled`);

    expect(unified.json.value).toEqual([{ id: IDS.marketing }]);
    expect(admins.json).toMatchObject({ isAssignableToRole: true, securityEnabled: true });
  });

  it('serves domains and organization', async () => {
    const domains = await get('/v1.0/domains');
    const org = await get('/v1.0/organization');

    expect(domains.json.value.map((d: { id: string }) => d.id)).toEqual([
      'contoso.onmicrosoft.com',
      'contoso.com',
    ]);
    expect(org.json.value[0].id).toBe(env.em.tenantId);
  });
});
