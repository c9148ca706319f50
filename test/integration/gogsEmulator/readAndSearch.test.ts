import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

describe('GET /users/:username and GET /user (spec §2.1, §2.3)', () => {
  it('looks users up case-insensitively and blanks the email only for anonymous callers', async () => {
    await gogs.createUser('Olga');
    const anon = await gogs.call('GET', '/api/v1/users/olga');
    expect(anon.json()).toMatchObject({ username: 'Olga', login: 'Olga', email: '' });
    const token = await gogs.tokenFor('Olga', 'Olga-password');
    const logged = await gogs.call('GET', '/api/v1/users/root', { token });
    expect(logged.json()).toMatchObject({ email: 'root@example.com' });
  });

  it('returns organizations as user JSON too', async () => {
    await gogs.createOrg('root', 'acme');
    const res = await gogs.call('GET', '/api/v1/users/acme');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ username: 'acme', email: '' });
  });
});

describe('GET /users/search (spec §2.2)', () => {
  it('wraps results, matches name or full name, excludes orgs, blanks login (v0.14.3)', async () => {
    await gogs.createUser('paula', { full_name: 'Paula Search' });
    await gogs.createUser('quinn', { full_name: 'Q. SEARCHER' });
    await gogs.createOrg('root', 'searchers');
    const res = await gogs.call('GET', '/api/v1/users/search?q=search', { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    const body = res.json<{ ok: boolean; data: { username: string; login: string; email: string }[] }>();
    expect(body.ok).toBe(true);
    expect(body.data.map((u) => u.username).sort()).toEqual(['paula', 'quinn']);
    expect(body.data[0]).toMatchObject({ login: '', email: 'paula@example.com' });
  });

  it('does not search emails, answers [] for an empty q, blanks emails for anonymous callers', async () => {
    await gogs.createUser('rita', { email: 'unique-mail@example.com' });
    expect((await gogs.call('GET', '/api/v1/users/search?q=unique-mail')).json()).toEqual({
      ok: true,
      data: [],
    });
    expect((await gogs.call('GET', '/api/v1/users/search')).json()).toEqual({ ok: true, data: [] });
    const anon = await gogs.call('GET', '/api/v1/users/search?q=rita');
    expect(anon.json()).toMatchObject({ data: [{ username: 'rita', email: '' }] });
  });

  it('treats _ and % as LIKE wildcards, defaults the limit to 10 and has no cap', async () => {
    for (let i = 0; i < 14; i++) await gogs.createUser(`user${i}`, { password: '' });
    const all = (q: string, limit?: string) =>
      gogs
        .call('GET', `/api/v1/users/search?q=${q}${limit === undefined ? '' : `&limit=${limit}`}`)
        .then((r) => r.json<{ data: unknown[] }>().data.length);
    expect(await all('_')).toBe(10);
    expect(await all('%25')).toBe(10);
    expect(await all('_', '0')).toBe(10);
    expect(await all('_', '-3')).toBe(10);
    expect(await all('_', 'abc')).toBe(10);
    expect(await all('_', '1000')).toBe(15);
    expect(await all('user1_')).toBe(4);
  });

  it('matches LIKE patterns literally otherwise, case-insensitively', async () => {
    await gogs.createUser('abc', { full_name: 'Axxxc.Name' });
    const found = async (q: string) =>
      (await gogs.call('GET', `/api/v1/users/search?q=${encodeURIComponent(q)}`)).json<{ data: unknown[] }>()
        .data.length;
    expect(await found('A_C')).toBe(1);
    expect(await found('a%c.n')).toBe(1);
    expect(await found('a.c')).toBe(0);
    expect(await found('[a]')).toBe(0);
  });
});

describe('full_name HTML escaping on output (spec §2, v0.14.3)', () => {
  const raw = `Tom & Jerry O'Brien "x" <b>bold</b><script>alert(1)</script>`;
  const escaped = 'Tom &amp; Jerry O&#39;Brien &#34;x&#34; <b>bold</b>';

  it('escapes in user JSON, keeps the raw value in the create echo and the team member list', async () => {
    const created = await gogs.createUser('tom', { full_name: raw });
    expect(created.json()).toMatchObject({ full_name: raw });
    expect((await gogs.call('GET', '/api/v1/users/tom')).json()).toMatchObject({ full_name: escaped });
    const patched = await gogs.admin('PATCH', '/api/v1/admin/users/tom', {
      email: 'tom@example.com',
      full_name: raw,
    });
    expect(patched.json()).toMatchObject({ full_name: escaped });
    expect((await gogs.call('GET', '/api/v1/users/search?q=tom')).json()).toMatchObject({
      data: [{ full_name: escaped }],
    });
    expect(userOf(await gogs.state(), 'tom').fullName).toBe(raw);
    await gogs.createOrg('root', 'acme');
    const owners = (await gogs.admin('GET', '/api/v1/orgs/acme/teams')).json<{ id: number }[]>()[0];
    await gogs.admin('PUT', `/api/v1/admin/teams/${owners?.id}/members/tom`);
    const members = await gogs.admin('GET', `/api/v1/admin/teams/${owners?.id}/members`);
    expect(members.json()).toContainEqual(expect.objectContaining({ username: 'tom', full_name: raw }));
  });

  it('is idempotent and passes non-ASCII letters through', async () => {
    await gogs.createUser('idem', { full_name: 'Tom &amp; Jérôme' });
    expect((await gogs.call('GET', '/api/v1/users/idem')).json()).toMatchObject({
      full_name: 'Tom &amp; Jérôme',
    });
  });
});
