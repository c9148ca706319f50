import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type Env, IDS, type Reply, startEnv } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv({ timing: { deltaPageSize: 2 } });
});
beforeEach(async () => {
  await call(env.em, 'POST', '/_emulator/reset');
});
afterAll(() => env.em.close());

const get = (path: string, headers?: Record<string, string>): Promise<Reply> =>
  call(env.em, 'GET', path, { token: env.reader, ...(headers ? { headers } : {}) });
const admin = (method: string, path: string, body?: unknown) =>
  call(env.em, method, path, { token: env.admin, body });

/** Follows nextLinks to the deltaLink; every page has exactly one of them. */
// biome-ignore lint/suspicious/noExplicitAny: delta items are arbitrary JSON
async function drain(first: string): Promise<{ items: any[]; deltaLink: string; pages: number }> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const items: any[] = [];
  let url = first;
  for (let pages = 1; ; pages++) {
    const r = await get(url);
    expect(r.status).toBe(200);
    const next = r.json['@odata.nextLink'];
    const delta = r.json['@odata.deltaLink'];
    expect(Boolean(next) !== Boolean(delta)).toBe(true);
    items.push(...r.json.value);
    if (delta) return { items, deltaLink: delta, pages };
    expect(next).toContain('$skiptoken=');
    url = next;
  }
}

describe('users/delta', () => {
  it('pages the initial sync and then reports updates and @removed reasons', async () => {
    const initial = await drain('/v1.0/users/delta?$select=displayName,accountEnabled');
    expect(initial.pages).toBe(3);
    expect(initial.items).toHaveLength(6);
    expect(initial.deltaLink).toContain('$deltatoken=');

    await admin('PATCH', `/v1.0/users/${IDS.alex}`, { accountEnabled: false });
    await admin('PATCH', `/v1.0/users/${IDS.adele}`, { jobTitle: 'not selected, not tracked' });
    await admin('DELETE', `/v1.0/users/${IDS.megan}`);
    await admin('DELETE', `/v1.0/users/${IDS.isaiah}`);
    await admin('DELETE', `/v1.0/directory/deletedItems/${IDS.isaiah}`);
    const round = await drain(initial.deltaLink);

    expect(round.items).toEqual(
      expect.arrayContaining([
        { id: IDS.alex, displayName: 'Alex Wilber', accountEnabled: false },
        { id: IDS.megan, '@removed': { reason: 'changed' } },
        { id: IDS.isaiah, '@removed': { reason: 'deleted' } },
      ]),
    );
    expect(round.items).toHaveLength(3);
  });

  it('returns only changed properties with Prefer: return=minimal', async () => {
    const { deltaLink } = await drain('/v1.0/users/delta?$select=displayName,accountEnabled,mail');
    await admin('PATCH', `/v1.0/users/${IDS.alex}`, { accountEnabled: false });

    const r = await get(deltaLink, { Prefer: 'return=minimal' });

    expect(r.json.value).toEqual([{ id: IDS.alex, accountEnabled: false }]);
  });

  it('syncs from now with $deltatoken=latest', async () => {
    const r = await get('/v1.0/users/delta?$deltatoken=latest');
    await admin('PATCH', `/v1.0/users/${IDS.alex}`, { displayName: 'Alex W.' });
    const round = await drain(r.json['@odata.deltaLink']);

    expect(r.json.value).toEqual([]);
    expect(r.json['@odata.nextLink']).toBeUndefined();
    expect(round.items.map((i) => i.id)).toEqual([IDS.alex]);
  });

  it('filters by id with the `id eq … or id eq …` form, at most 50 ids', async () => {
    const ok = await drain(
      `/v1.0/users/delta?$filter=${encodeURIComponent(`id eq '${IDS.adele}' or id eq '${IDS.pat}'`)}`,
    );
    const tooMany = await get(
      `/v1.0/users/delta?$filter=${encodeURIComponent(Array.from({ length: 51 }, () => `id eq '${IDS.adele}'`).join(' or '))}`,
    );
    const other = await get(`/v1.0/users/delta?$filter=${encodeURIComponent("displayName eq 'x'")}`);

    expect(ok.items.map((i) => i.id).sort()).toEqual([IDS.adele, IDS.pat]);
    expect(tooMany.status).toBe(400);
    expect(other.status).toBe(400);
  });

  it('fails an expired token with 410 syncStateNotFound, or 410 + Location in resync style', async () => {
    const { deltaLink } = await drain('/v1.0/users/delta?$select=displayName');
    await call(env.em, 'POST', '/_emulator/delta/expire');
    const expired = await get(deltaLink);

    await call(env.em, 'POST', '/_emulator/delta/expire', { body: { style: 'resync' } });
    const resync = await get(deltaLink);
    const restart = await drain(resync.headers.location as string);

    expect(expired.status).toBe(410);
    expect(expired.json.error.code).toBe('syncStateNotFound');
    expect(resync.status).toBe(410);
    expect(resync.headers.location).toContain('$deltatoken=');
    expect(restart.items).toHaveLength(6);
  });

  it('can serve empty pages that still carry a nextLink', async () => {
    await call(env.em, 'POST', '/_emulator/faults', { body: { deltaEmptyPages: 2 } });

    const r = await drain(`/v1.0/users/delta?$filter=${encodeURIComponent(`id eq '${IDS.adele}'`)}`);

    expect(r.pages).toBe(3);
    expect(r.items.map((i) => i.id)).toEqual([IDS.adele]);
  });

  it('rejects a mangled token with 400', async () => {
    const r = await get('/v1.0/users/delta?$deltatoken=garbage');

    expect(r.status).toBe(400);
  });
});

describe('groups/delta', () => {
  it('carries members@delta with @removed objects, and security-group deletion as deleted', async () => {
    const initial = await drain('/v1.0/groups/delta?$select=displayName,members');
    const eng = initial.items.find((g) => g.id === IDS.engineering);
    expect(eng['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: IDS.alex },
      { '@odata.type': '#microsoft.graph.group', id: IDS.backend },
    ]);

    await admin('POST', `/v1.0/groups/${IDS.platform}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.lynne}`,
    });
    await admin('DELETE', `/v1.0/groups/${IDS.backend}/members/${IDS.megan}/$ref`);
    await admin('DELETE', `/v1.0/groups/${IDS.siteAdmins}`);
    await admin('DELETE', `/v1.0/groups/${IDS.marketing}`);
    const round = await drain(initial.deltaLink);

    const byId = new Map(round.items.map((i) => [i.id, i]));
    expect(byId.get(IDS.platform)['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: IDS.lynne },
    ]);
    expect(byId.get(IDS.backend)['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: IDS.megan, '@removed': { reason: 'deleted' } },
    ]);
    expect(byId.get(IDS.siteAdmins)).toEqual({ id: IDS.siteAdmins, '@removed': { reason: 'deleted' } });
    expect(byId.get(IDS.marketing)).toEqual({ id: IDS.marketing, '@removed': { reason: 'changed' } });
  });

  it('leaves members out when $select omits them', async () => {
    const r = await drain('/v1.0/groups/delta?$select=displayName');

    expect(r.items.every((g) => !('members@delta' in g))).toBe(true);
  });

  it('reports a purged user as a member removal', async () => {
    const { deltaLink } = await drain('/v1.0/groups/delta?$select=members');
    await admin('DELETE', `/v1.0/users/${IDS.isaiah}`);
    const soft = await drain(deltaLink);
    await admin('DELETE', `/v1.0/directory/deletedItems/${IDS.isaiah}`);
    const hard = await drain(soft.deltaLink);

    expect(soft.items).toEqual([]);
    expect(hard.items).toEqual([
      {
        id: IDS.platform,
        'members@delta': [
          { '@odata.type': '#microsoft.graph.user', id: IDS.isaiah, '@removed': { reason: 'deleted' } },
        ],
      },
    ]);
  });
});
