import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type Env, IDS, startEnv } from './helpers.js';

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
beforeEach(async () => {
  await call(env.em, 'POST', '/_emulator/reset');
});
afterAll(() => env.em.close());

const get = (path: string) => call(env.em, 'GET', path, { token: env.reader });

describe('throttling', () => {
  it('answers 429 with a fractional Retry-After and Graph throttling body, for the next N calls of one route', async () => {
    await call(env.em, 'POST', '/_emulator/throttle', {
      body: { route: '/v1.0/users', count: 2, retryAfter: 2.128 },
    });

    const first = await get('/v1.0/users');
    const group = await get('/v1.0/groups');
    const second = await get('/v1.0/users');
    const third = await get('/v1.0/users');

    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('2.128');
    expect(first.json.error).toMatchObject({
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: { code: '429', message: 'Please retry after', status: '429' },
    });
    expect(first.headers['x-ms-throttle-scope']).toMatch(/^Tenant_Application\/ReadWrite\//);
    expect(group.status).toBe(200);
    expect(second.status).toBe(429);
    expect(third.status).toBe(200);
  });

  it('can omit Retry-After', async () => {
    await call(env.em, 'POST', '/_emulator/throttle', { body: { count: 1, retryAfter: null } });

    const r = await get(`/v1.0/users/${IDS.adele}`);

    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBeUndefined();
  });

  it('throttles a rate of calls', async () => {
    await call(env.em, 'POST', '/_emulator/throttle', { body: { rate: 1, retryAfter: 0.5 } });
    const throttled = await get('/v1.0/groups');
    await call(env.em, 'DELETE', '/_emulator/throttle');

    expect(throttled.status).toBe(429);
    expect((await get('/v1.0/groups')).status).toBe(200);
  });
});

describe('read-after-write lag', () => {
  it('returns the previous version for lagMs after a write, then the new one', async () => {
    await call(env.em, 'POST', '/_emulator/lag', { body: { ms: 300 } });

    await call(env.em, 'PATCH', `/v1.0/users/${IDS.alex}`, {
      token: env.admin,
      body: { displayName: 'Alex New' },
    });
    const created = await call(env.em, 'POST', '/v1.0/groups', {
      token: env.admin,
      body: { displayName: 'Fresh', mailEnabled: false, mailNickname: 'fresh', securityEnabled: true },
    });
    const stale = await get(`/v1.0/users/${IDS.alex}`);
    const missing = await get(`/v1.0/groups/${created.json.id}`);
    await new Promise((r) => setTimeout(r, 350));
    const fresh = await get(`/v1.0/users/${IDS.alex}`);

    expect(stale.json.displayName).toBe('Alex Wilber');
    expect(missing.status).toBe(404);
    expect(fresh.json.displayName).toBe('Alex New');
  });
});

describe('read-after-write lag on memberships', () => {
  it('keeps the previous member list for lagMs after a member is added', async () => {
    await call(env.em, 'POST', '/_emulator/lag', { body: { ms: 300 } });

    await call(env.em, 'POST', `/v1.0/groups/${IDS.platform}/members/$ref`, {
      token: env.admin,
      body: { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.adele}` },
    });
    const stale = await get(`/v1.0/groups/${IDS.platform}/members?$select=id`);
    await new Promise((r) => setTimeout(r, 350));
    const fresh = await get(`/v1.0/groups/${IDS.platform}/members?$select=id`);

    expect(stale.json.value.map((m: { id: string }) => m.id)).toEqual([IDS.isaiah]);
    expect(fresh.json.value.map((m: { id: string }) => m.id)).toEqual([IDS.isaiah, IDS.adele]);
  });
});

describe('emulator control', () => {
  it('counts calls per route template', async () => {
    await get(`/v1.0/users/${IDS.adele}`);
    await get(`/v1.0/users/${IDS.alex}`);
    await get('/v1.0/users');

    const calls = await call(env.em, 'GET', '/_emulator/calls');

    expect(calls.json).toMatchObject({ 'GET /v1.0/users/{id}': 2, 'GET /v1.0/users': 1 });
  });

  it('exposes state and resets it', async () => {
    await call(env.em, 'DELETE', `/v1.0/users/${IDS.alex}`, { token: env.admin });
    const before = await call(env.em, 'GET', '/_emulator/state');
    await call(env.em, 'POST', '/_emulator/reset');
    const after = await call(env.em, 'GET', '/_emulator/state');

    expect(before.json.users.find((u: { id: string }) => u.id === IDS.alex).deletedDateTime).not.toBeNull();
    expect(after.json.users.find((u: { id: string }) => u.id === IDS.alex).deletedDateTime).toBeNull();
    expect(after.json.groups.find((g: { id: string }) => g.id === IDS.engineering).members).toEqual([
      IDS.alex,
      IDS.backend,
    ]);
  });
});
