import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

const control = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${gogs.url}/_emulator/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('/_emulator/state and reset', () => {
  it('starts with root as the only user: active site admin with one token, no secrets exposed', async () => {
    const state = await gogs.state();
    expect(state.users).toHaveLength(1);
    expect(userOf(state, 'root')).toMatchObject({
      id: 1,
      email: 'root@example.com',
      active: true,
      isAdmin: true,
      prohibitLogin: false,
      tokens: [{ name: 'emulator-admin' }],
      keys: [],
      orgMemberships: [],
    });
    expect(JSON.stringify(state)).not.toContain(ADMIN_TOKEN);
    expect(state.orgs).toEqual([]);
  });

  it('reset restores the initial state and keeps the admin token working', async () => {
    await gogs.createUser('temp');
    await gogs.createOrg('root', 'acme');
    expect((await control('POST', 'reset')).status).toBe(200);
    const state = await gogs.state();
    expect(state.users.map((u) => u.username)).toEqual(['root']);
    expect(state.orgs).toEqual([]);
    expect((await gogs.admin('GET', '/api/v1/user')).status).toBe(200);
    expect((await gogs.createUser('next')).json()).toMatchObject({ id: 2 });
  });

  it('adds collaboration rows for residual-access reporting; deleting the repo removes them', async () => {
    await gogs.createUser('ann');
    await gogs.createUser('ben');
    await gogs.admin('POST', '/api/v1/admin/users/ben/repos', { name: 'tool', private: true });
    const added = await control('POST', 'users/ann/collaborations', { repo: 'ben/tool', mode: 'read' });
    expect(added.status).toBe(201);
    const state = await gogs.state();
    expect(userOf(state, 'ann').collaborations).toEqual([{ repo: 'ben/tool', mode: 'read' }]);
    expect(state.repos[0]?.collaborators).toEqual([{ username: 'ann', mode: 'read' }]);
    expect((await control('POST', 'users/ann/collaborations', { repo: 'ben/none' })).status).toBe(404);
    await gogs.admin('DELETE', '/api/v1/repos/ben/tool');
    expect(userOf(await gogs.state(), 'ann').collaborations).toEqual([]);
  });

  it('checks a password without exposing it', async () => {
    await gogs.createUser('cat');
    expect(
      (await control('POST', 'users/cat/check-password', { password: 'cat-password' })).body,
    ).toMatchObject({ valid: true });
    expect((await control('POST', 'users/cat/check-password', { password: 'nope' })).body).toMatchObject({
      valid: false,
    });
  });

  it('rejects a non-boolean prohibit-login value and unknown users', async () => {
    expect((await control('POST', 'users/root/prohibit-login', { value: 'yes' })).status).toBe(400);
    expect((await control('POST', 'users/ghost/prohibit-login', { value: true })).status).toBe(404);
  });
});

describe('/_emulator/faults', () => {
  it('answers every call with the configured status at error rate 1, without running the handler', async () => {
    await control('POST', 'faults', { errorRate: 1, statuses: [503] });
    const res = await gogs.createUser('victim');
    expect(res.status).toBe(503);
    await control('DELETE', 'faults');
    expect((await gogs.state()).users.map((u) => u.username)).toEqual(['root']);
    expect((await gogs.admin('GET', '/api/v1/user')).status).toBe(200);
  });

  it('answers 500 with Gogs’ generic body, and can fail after the handler ran', async () => {
    await control('POST', 'faults', { errorRate: 1, statuses: [500], phase: 'after' });
    const res = await gogs.createUser('applied');
    expect(res.status).toBe(500);
    expect(res.json()).toMatchObject({
      message: 'Something went wrong, please check the server logs for more information.',
    });
    await control('POST', 'faults', {});
    expect((await gogs.state()).users.map((u) => u.username)).toEqual(['root', 'applied']);
  });

  it('can be restricted to a method and a route template', async () => {
    await control('POST', 'faults', {
      errorRate: 1,
      statuses: [502],
      method: 'PATCH',
      route: '/admin/users/:username',
    });
    await gogs.createUser('wes');
    const patch = await gogs.admin('PATCH', '/api/v1/admin/users/wes', { email: 'wes@example.com' });
    expect(patch.status).toBe(502);
    expect((await gogs.admin('GET', '/api/v1/users/wes')).status).toBe(200);
  });

  it('resets connections at reset rate 1', async () => {
    await control('POST', 'faults', { resetRate: 1 });
    await expect(fetch(`${gogs.url}/api/v1/user`)).rejects.toThrow();
    await control('DELETE', 'faults');
    expect((await gogs.admin('GET', '/api/v1/user')).status).toBe(200);
  });

  it('is deterministic for a given seed', async () => {
    const run = async () => {
      await control('POST', 'faults', { errorRate: 0.5, statuses: [500, 503], seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await gogs.call('GET', '/api/v1/users/root')).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('rejects invalid configurations with 400 and reports the active one', async () => {
    expect((await control('POST', 'faults', { errorRate: 2 })).status).toBe(400);
    expect((await control('POST', 'faults', { statuses: [] })).status).toBe(400);
    expect((await control('POST', 'faults', { bogus: 1 })).status).toBe(400);
    await control('POST', 'faults', { latencyMs: 1 });
    expect((await control('GET', 'faults')).body).toMatchObject({ faults: { latencyMs: 1, errorRate: 0 } });
  });

  it('is cleared by reset', async () => {
    await control('POST', 'faults', { errorRate: 1, statuses: [500] });
    await control('POST', 'reset');
    expect((await gogs.admin('GET', '/api/v1/user')).status).toBe(200);
  });
});

describe('/_emulator/calls', () => {
  it('counts calls per method and route template, unknown routes under /api/v1/*', async () => {
    await gogs.createUser('xia');
    await gogs.admin('PATCH', '/api/v1/admin/users/xia', { email: 'xia@example.com' });
    await gogs.admin('PATCH', '/api/v1/admin/users/xia', { email: 'xia@example.com' });
    await gogs.call('GET', '/api/v1/nowhere');
    await gogs.state();
    const calls = (await control('GET', 'calls')).body;
    expect(calls).toEqual({
      'GET /api/v1/*': 1,
      'PATCH /api/v1/admin/users/:username': 2,
      'POST /api/v1/admin/users': 1,
    });
    await control('DELETE', 'calls');
    expect((await control('GET', 'calls')).body).toEqual({});
  });
});
