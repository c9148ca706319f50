import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, startWorkerEnv, U, type WorkerEnv } from '../worker/workerEnv.js';

let env: WorkerEnv;

beforeAll(async () => {
  env = await startWorkerEnv({ DEPROVISION_MODE: 'delete' });
  await env.handle({ kind: 'reconcile' });
});

afterAll(async () => {
  await env?.close();
});

const userNote = (objectId: string, changeType: 'updated' | 'deleted') =>
  env.handle({ kind: 'user', objectId, source: 'notification', changeType });

describe('deletion semantics (DESIGN §3.2, §3.5, §3.6) with DEPROVISION_MODE=delete', () => {
  it('a 404 user found in deleted items is soft-deleted: suspended, never deleted; a restore restores', async () => {
    await env.admin.request('DELETE', `/users/${U.alex}`);

    await userNote(U.alex, 'updated');

    expect(await env.gogsUser('alex')).toMatchObject({ active: false, teams: [] });
    expect((await env.app.stores.sync.getIdentity(U.alex))?.status).toBe('suspended');
    const audit = await env.app.stores.audit.table.query({
      from: Date.now() - 60_000,
      to: Date.now(),
      objectId: U.alex,
    });
    expect(audit.map((r) => r.kind)).not.toContain('deleteUser');

    await env.admin.request('POST', `/directory/deletedItems/${U.alex}/restore`);
    await userNote(U.alex, 'updated');
    const back = await env.gogsUser('alex');
    expect(back?.active).toBe(true);
    expect(back?.teams.map((t) => t.team.toLowerCase())).toEqual(['engineering']);
  });

  it('only a confirmed hard delete deletes, and the username is never reissued', async () => {
    // Dora is a site admin only: no team, so no org row keeps Gogs from deleting her.
    const dora = await env.createUser('dora', 'Dora Lee');
    await env.addMember(G.admins, dora);
    await env.handle({ kind: 'group', objectId: G.admins, source: 'notification' });
    expect(await env.gogsUser('dora')).toMatchObject({ active: true, isAdmin: true });

    await env.admin.request('DELETE', `/users/${dora}`);
    await env.admin.request('DELETE', `/directory/deletedItems/${dora}`);
    // Gone from deleted items too, but no `deleted` notification yet: not confirmed, so suspend.
    await userNote(dora, 'updated');
    expect(await env.gogsUser('dora')).toMatchObject({ active: false });

    await userNote(dora, 'deleted');
    expect(await env.gogsUser('dora')).toBeUndefined();
    expect(await env.app.stores.sync.getIdentity(dora)).toMatchObject({
      username: 'dora',
      status: 'deleted',
    });

    // A new person with the same nickname never gets the old name.
    const newDora = await env.createUser('dora', 'Dora Newcomer');
    await env.addMember(G.engineering, newDora);
    await env.handle({ kind: 'group', objectId: G.engineering, source: 'notification' });
    const identity = await env.app.stores.sync.getIdentity(newDora);
    expect(identity?.username).toBe('dora-2');
    expect(await env.gogsUser('dora-2')).toMatchObject({ active: true });
    expect(await env.gogsUser('dora')).toBeUndefined();
  });
});
