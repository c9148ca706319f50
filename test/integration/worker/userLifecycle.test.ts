import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, startWorkerEnv, U, type WorkerEnv } from './workerEnv.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl megan@laptop';

let env: WorkerEnv;
let megan: string;

beforeAll(async () => {
  env = await startWorkerEnv({ DEPROVISION_MODE: 'delete' });
});

afterAll(async () => {
  await env?.close();
});

const teamsOf = (user: { teams: { org: string; team: string }[] } | undefined) =>
  (user?.teams ?? []).map((t) => `${t.org}/${t.team}`.toLowerCase());

describe('applyChanges: one user through its life, against Azurite and both emulators', () => {
  it('creates the account and the team membership when a new user joins a nested group', async () => {
    megan = await env.createUser('megan', 'Megan Bowen');
    await env.addMember(G.contractors, megan);

    const result = await env.handle({ kind: 'group', objectId: G.contractors, source: 'notification' });

    expect(result).toMatchObject({ kind: 'group', status: 'done' });
    const account = await env.gogsUser('megan');
    expect(account).toMatchObject({ email: 'megan@contoso.com', fullName: 'Megan Bowen', active: true });
    expect(teamsOf(account)).toEqual(['acme/engineering']);
    // Adele (direct member) and Alex (through Contractors) came in with the team.
    expect(teamsOf(await env.gogsUser('alex'))).toEqual(['acme/engineering']);
    const later = await env.takeMessages({ atLeast: 1 });
    expect(later).toContainEqual(
      expect.objectContaining({ kind: 'group', objectId: G.contractors, source: 'recheck' }),
    );
  });

  it('ignores a user notification for an id it does not manage without calling Graph', async () => {
    await env.graphControl('DELETE', '/calls');
    const stranger = await env.createUser('stranger', 'Stan Ranger');
    await env.graphControl('DELETE', '/calls');

    const result = await env.handle({ kind: 'user', objectId: stranger, source: 'notification' });

    expect(result).toMatchObject({ status: 'skipped' });
    const calls = (await env.graphControl('GET', '/calls')) as Record<string, number>;
    expect(Object.keys(calls).filter((route) => !route.includes('_emulator'))).toEqual([]);
  });

  it('ignores a change of a group outside every scope group', async () => {
    const result = await env.handle({ kind: 'group', objectId: G.unrelated, source: 'notification' });
    expect(result).toMatchObject({ status: 'skipped' });
  });

  it('suspends a disabled user: out of the team, keys gone, inactive; then restores them', async () => {
    const added = await fetch(`${env.gogsUrl}/api/v1/admin/users/megan/keys`, {
      method: 'POST',
      headers: {
        authorization: `token ${env.app.config.gogs.token.reveal()}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ title: 'laptop', key: KEY }),
    });
    expect(added.status).toBe(201);
    await env.admin.request('PATCH', `/users/${megan}`, { body: { accountEnabled: false } });

    await env.handle({ kind: 'user', objectId: megan, source: 'notification', changeType: 'updated' });

    const suspended = await env.gogsUser('megan');
    expect(suspended).toMatchObject({ active: false, keys: [] });
    expect(teamsOf(suspended)).toEqual([]);

    await env.admin.request('PATCH', `/users/${megan}`, { body: { accountEnabled: true } });
    await env.handle({ kind: 'user', objectId: megan, source: 'notification', changeType: 'updated' });

    const restored = await env.gogsUser('megan');
    expect(restored).toMatchObject({ active: true });
    expect(teamsOf(restored)).toEqual(['acme/engineering']);
  });

  it('suspends a soft-deleted user and restores them when Entra restores them', async () => {
    await env.admin.request('DELETE', `/users/${megan}`);
    await env.handle({ kind: 'user', objectId: megan, source: 'notification', changeType: 'updated' });
    expect(await env.gogsUser('megan')).toMatchObject({ active: false, teams: [] });

    await env.admin.request('POST', `/directory/deletedItems/${megan}/restore`);
    await env.handle({ kind: 'user', objectId: megan, source: 'notification', changeType: 'updated' });
    const back = await env.gogsUser('megan');
    expect(back).toMatchObject({ active: true });
    expect(teamsOf(back)).toEqual(['acme/engineering']);
  });

  it('follows a rename: email and display name change, the username stays', async () => {
    await env.admin.request('PATCH', `/users/${megan}`, {
      body: { displayName: 'Megan Bowen-Smith', mail: 'megan.smith@contoso.com', mailNickname: 'msmith' },
    });

    await env.handle({ kind: 'user', objectId: megan, source: 'notification', changeType: 'updated' });

    expect(await env.gogsUser('megan')).toMatchObject({
      username: 'megan',
      email: 'megan.smith@contoso.com',
      fullName: 'Megan Bowen-Smith',
    });
    expect(await env.gogsUser('msmith')).toBeUndefined();
  });

  it('takes a user removed from the group out of the team (and, out of scope, suspends them)', async () => {
    await env.removeMember(G.contractors, megan);

    await env.handle({ kind: 'group', objectId: G.contractors, source: 'notification' });

    const gone = await env.gogsUser('megan');
    expect(teamsOf(gone)).toEqual([]);
    expect(gone?.active).toBe(false);
    expect(teamsOf(await env.gogsUser('alex'))).toEqual(['acme/engineering']);
  });

  it('makes members of the site-admin group site admins, and takes the role back', async () => {
    await env.addMember(G.admins, U.alex);
    await env.handle({ kind: 'group', objectId: G.admins, source: 'notification' });
    expect(await env.gogsUser('alex')).toMatchObject({ isAdmin: true, active: true });

    await env.removeMember(G.admins, U.alex);
    await env.handle({ kind: 'group', objectId: G.admins, source: 'notification' });
    expect(await env.gogsUser('alex')).toMatchObject({ isAdmin: false, active: true });
  });

  it('deletes a permanently deleted user, or records why Gogs refused and what access remains', async () => {
    await env.admin.request('DELETE', `/users/${U.adele}`);
    await env.admin.request('DELETE', `/directory/deletedItems/${U.adele}`);

    const result = await env.handle({
      kind: 'user',
      objectId: U.adele,
      source: 'notification',
      changeType: 'deleted',
    });

    expect(result).toMatchObject({ status: 'done' });
    const account = await env.gogsUser('adele');
    if (account) {
      // A past team membership leaves an org row no API removes (DESIGN §3.6).
      expect(account).toMatchObject({ active: false, keys: [] });
      expect(teamsOf(account)).toEqual([]);
      const failures = await env.app.stores.failures.list();
      expect(failures).toContainEqual(
        expect.objectContaining({ id: `deleteUser:${U.adele}`, objectId: U.adele }),
      );
      const audit = await env.app.stores.audit.table.query({
        from: Date.now() - 60_000,
        to: Date.now(),
        objectId: U.adele,
      });
      const refusal = audit.find((r) => r.kind === 'deleteUser');
      expect(refusal).toMatchObject({ status: 'failed', cause: { type: 'notification' } });
      expect(refusal?.residual).toBeDefined();
    }
    expect((await env.app.stores.sync.getIdentity(U.adele))?.username).toBe('adele');
  });

  it('audits every applied action in the table and the blob, with cause and latency', async () => {
    const now = Date.now();
    const rows = await env.app.stores.audit.table.query({ from: now - 10 * 60_000, to: now });
    const lines = await env.app.stores.audit.blob.read(new Date(now).toISOString().slice(0, 10));
    const applied = rows.filter((r) => r.type === 'action' && r.status === 'applied');
    expect(applied.length).toBeGreaterThan(5);
    for (const row of applied) {
      expect(row.cause?.type).toMatch(/notification|recheck/);
      expect(row.latencyMs).toBeGreaterThanOrEqual(0);
    }
    const key = (r: { kind: string; objectId?: string; appliedAt: number; target?: string }) =>
      `${r.kind}|${r.objectId}|${r.target}|${r.appliedAt}`;
    const blobKeys = new Set(lines.map(key));
    for (const row of applied) expect(blobKeys.has(key(row))).toBe(true);
  });
});
