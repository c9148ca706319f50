import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, ROOT_PASSWORD, useGogsEmulator } from './harness.js';

const gogs = useGogsEmulator();

describe('authentication (spec §1.1)', () => {
  it('accepts the admin token in the exact "token <t>" header form', async () => {
    const res = await gogs.call('GET', '/api/v1/user', { token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(res.contentType).toBe('application/json; charset=UTF-8');
    expect(res.json()).toMatchObject({ id: 1, username: 'root', login: 'root', email: 'root@example.com' });
  });

  it.each([
    ['Bearer', `Bearer ${ADMIN_TOKEN}`],
    ['capital Token', `Token ${ADMIN_TOKEN}`],
    ['extra words', `token ${ADMIN_TOKEN} extra`],
  ])('does not recognise the %s form (401 on reqToken routes)', async (_label, header) => {
    const res = await gogs.call('GET', '/api/v1/user', { headers: { authorization: header } });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });

  it('ignores ?token= and ?access_token= (v0.14.2+)', async () => {
    for (const q of ['token', 'access_token']) {
      const res = await gogs.call('GET', `/api/v1/user?${q}=${ADMIN_TOKEN}`);
      expect(res.status).toBe(401);
    }
  });

  it('treats an unknown token as anonymous: 401 on reqToken, 403 on admin, emails blanked on public routes', async () => {
    const bad = 'b'.repeat(40);
    expect((await gogs.call('GET', '/api/v1/user', { token: bad })).status).toBe(401);
    const admin = await gogs.call('POST', '/api/v1/admin/users', { token: bad, body: {} });
    expect(admin.status).toBe(403);
    expect(admin.text).toBe('');
    const profile = await gogs.call('GET', '/api/v1/users/root', { token: bad });
    expect(profile.json()).toMatchObject({ username: 'root', email: '' });
  });

  it('accepts Basic auth with username or email, and gives 401 for it on reqToken routes', async () => {
    const byName = await gogs.call('POST', '/api/v1/admin/users', {
      basic: ['root', ROOT_PASSWORD],
      body: { username: 'alice', email: 'alice@example.com' },
    });
    expect(byName.status).toBe(201);
    const byEmail = await gogs.call('GET', '/api/v1/users/alice', {
      basic: ['ROOT@example.com', ROOT_PASSWORD],
    });
    expect(byEmail.json()).toMatchObject({ email: 'alice@example.com' });
    const user = await gogs.call('GET', '/api/v1/user', { basic: ['root', ROOT_PASSWORD] });
    expect(user.status).toBe(401);
    expect(user.text).toBe('');
    expect((await gogs.call('GET', '/api/v1/user/orgs', { basic: ['root', ROOT_PASSWORD] })).status).toBe(
      401,
    );
    expect((await gogs.call('GET', '/api/v1/orgs/x', { basic: ['root', ROOT_PASSWORD] })).status).toBe(401);
  });

  it('does not accept an access token as the Basic password', async () => {
    const res = await gogs.call('POST', '/api/v1/admin/users', {
      basic: ['root', ADMIN_TOKEN],
      body: { username: 'alice', email: 'alice@example.com' },
    });
    expect(res.status).toBe(403);
  });

  it('answers 500 with an empty body when Basic credentials have no colon (Gogs panics)', async () => {
    const res = await gogs.call('GET', '/api/v1/users/root', {
      headers: { authorization: `Basic ${Buffer.from('rootonly').toString('base64')}` },
    });
    expect(res.status).toBe(500);
    expect(res.text).toBe('');
  });

  it('treats undecodable Basic credentials as anonymous', async () => {
    const res = await gogs.call('GET', '/api/v1/users/root', { headers: { authorization: 'Basic !!!' } });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ email: '' });
  });

  it('treats a wrong Basic password as anonymous (no 401 at that stage)', async () => {
    const res = await gogs.call('GET', '/api/v1/users/root', { basic: ['root', 'wrong'] });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ email: '' });
  });

  it('reproduces the empty-password hazard: Basic "name:" works for a user created without password', async () => {
    await gogs.admin('POST', '/api/v1/admin/users', { username: 'nopass', email: 'nopass@example.com' });
    const res = await gogs.call('GET', '/api/v1/users/nopass/tokens', { basic: ['nopass', ''] });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual([]);
  });
});

describe('guards (spec §1.2)', () => {
  it('answers 403 with an empty body to anonymous and non-admin callers on /admin routes', async () => {
    await gogs.createUser('bob');
    const bobToken = await gogs.tokenFor('bob', 'bob-password');
    for (const opts of [{}, { token: bobToken }]) {
      const res = await gogs.call('PATCH', '/api/v1/admin/users/bob', {
        ...opts,
        raw: 'not json',
        contentType: 'text/plain',
      });
      expect(res.status).toBe(403);
      expect(res.text).toBe('');
      expect(res.contentType).toBeNull();
    }
  });

  it('lets a user promoted to admin use /admin routes on the next request', async () => {
    await gogs.createUser('carol');
    const token = await gogs.tokenFor('carol', 'carol-password');
    expect((await gogs.call('DELETE', '/api/v1/admin/users/nobody', { token })).status).toBe(403);
    await gogs.admin('PATCH', '/api/v1/admin/users/carol', { email: 'carol@example.com', admin: true });
    expect((await gogs.call('DELETE', '/api/v1/admin/users/nobody', { token })).status).toBe(404);
  });

  it('answers reqBasicAuth routes with 401 when a token is used', async () => {
    const res = await gogs.call('GET', '/api/v1/users/root/tokens', { token: ADMIN_TOKEN });
    expect(res.status).toBe(401);
    expect(res.text).toBe('');
  });
});

describe('prohibit_login toggle (spec §1.2)', () => {
  it('renders a 200 HTML page on any /api/v1 path, whatever the auth method', async () => {
    await gogs.createUser('dave');
    const token = await gogs.tokenFor('dave', 'dave-password');
    const set = await fetch(`${gogs.url}/_emulator/users/dave/prohibit-login`, {
      method: 'POST',
      body: JSON.stringify({ value: true }),
    });
    expect(set.status).toBe(200);
    for (const res of [
      await gogs.call('GET', '/api/v1/user', { token }),
      await gogs.call('GET', '/api/v1/users/dave/tokens', { basic: ['dave', 'dave-password'] }),
      await gogs.call('GET', '/api/v1/no/such/route', { token }),
    ]) {
      expect(res.status).toBe(200);
      expect(res.contentType).toBe('text/html; charset=UTF-8');
      expect(res.text).toContain('Login Prohibited');
    }
    expect((await gogs.state()).users.find((u) => u.username === 'dave')?.prohibitLogin).toBe(true);
    await fetch(`${gogs.url}/_emulator/users/dave/prohibit-login`, {
      method: 'POST',
      body: '{"value":false}',
    });
    expect((await gogs.call('GET', '/api/v1/user', { token })).status).toBe(200);
  });
});

describe('unknown routes and methods (spec §9)', () => {
  it.each([
    ['GET', '/api/v1/admin/users'],
    ['DELETE', '/api/v1/admin/teams/1'],
    ['PUT', '/api/v1/orgs/x/membership/y'],
    ['GET', '/api/v1/nothing-here'],
  ])(
    '%s %s is a 404 HTML page, even for anonymous callers (no 405, no admin guard)',
    async (method, path) => {
      const res = await gogs.call(method, path);
      expect(res.status).toBe(404);
      expect(res.contentType).toBe('text/html; charset=UTF-8');
      expect(res.text).toContain('Page Not Found');
    },
  );

  it('routes like macaron: HEAD runs GET, one trailing slash is ignored, `search` shadows a user so named', async () => {
    const head = await gogs.call('HEAD', '/api/v1/user', { token: ADMIN_TOKEN });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect((await gogs.call('GET', '/api/v1/user/', { token: ADMIN_TOKEN })).status).toBe(200);
    await gogs.createUser('search');
    const shadowed = await gogs.call('GET', '/api/v1/users/search');
    expect(shadowed.json()).toEqual({ ok: true, data: [] });
  });

  it('answers OPTIONS with 200 and an empty body', async () => {
    const res = await gogs.call('OPTIONS', '/api/v1/admin/users');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });
});
