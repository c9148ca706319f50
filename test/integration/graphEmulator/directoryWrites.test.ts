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

const admin = (method: string, path: string, body?: unknown) =>
  call(env.em, method, path, { token: env.admin, body });
const newUser = (over: Record<string, unknown> = {}) => ({
  accountEnabled: true,
  displayName: 'Nestor Wilke',
  mailNickname: 'nestor',
  userPrincipalName: 'nestor@contoso.com',
  passwordProfile: { forceChangePasswordNextSignIn: true, password: 'x!Y2z3w4' },
  ...over,
});

describe('user writes', () => {
  it('creates a user (201) that reads back', async () => {
    const created = await admin('POST', '/v1.0/users', newUser());
    const read = await call(env.em, 'GET', `/v1.0/users/${created.json.id}?$select=accountEnabled,userType`, {
      token: env.reader,
    });

    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      displayName: 'Nestor Wilke',
      userPrincipalName: 'nestor@contoso.com',
    });
    expect(read.json).toMatchObject({ accountEnabled: true, userType: 'Member' });
  });

  it('rejects a UPN outside the verified domains and a duplicate UPN', async () => {
    const badDomain = await admin(
      'POST',
      '/v1.0/users',
      newUser({ userPrincipalName: 'nestor@example.org' }),
    );
    const dup = await admin('POST', '/v1.0/users', newUser({ userPrincipalName: 'adele@contoso.com' }));

    expect(badDomain.status).toBe(400);
    expect(badDomain.json.error.message).toMatch(/verified domain/);
    expect(dup.status).toBe(400);
    expect(dup.json.error.message).toMatch(/same value for property userPrincipalName/);
  });

  it('patches a user (204)', async () => {
    const r = await admin('PATCH', `/v1.0/users/${IDS.alex}`, { accountEnabled: false, jobTitle: 'Ops' });
    const read = await call(env.em, 'GET', `/v1.0/users/${IDS.alex}?$select=accountEnabled,jobTitle`, {
      token: env.reader,
    });

    expect(r.status).toBe(204);
    expect(read.json).toMatchObject({ accountEnabled: false, jobTitle: 'Ops' });
  });

  it('soft-deletes into deletedItems, restores, and deletes permanently', async () => {
    expect((await admin('DELETE', `/v1.0/users/${IDS.megan}`)).status).toBe(204);
    expect((await admin('GET', `/v1.0/users/${IDS.megan}`)).status).toBe(404);
    const deleted = await admin('GET', '/v1.0/directory/deletedItems/microsoft.graph.user');
    expect(deleted.json.value.map((u: { id: string }) => u.id)).toEqual([IDS.megan]);
    expect(deleted.json.value[0].deletedDateTime).toEqual(expect.any(String));
    // Soft-deleted users keep their memberships but drop out of member lists.
    const members = await admin('GET', `/v1.0/groups/${IDS.backend}/members?$select=id`);
    expect(members.json.value.map((m: { id: string }) => m.id)).toEqual([IDS.platform]);

    const restored = await admin('POST', `/v1.0/directory/deletedItems/${IDS.megan}/restore`);
    expect(restored.status).toBe(200);
    expect((await admin('GET', `/v1.0/groups/${IDS.backend}/members?$select=id`)).json.value).toHaveLength(2);

    await admin('DELETE', `/v1.0/users/${IDS.megan}`);
    expect((await admin('GET', `/v1.0/directory/deletedItems/${IDS.megan}`)).status).toBe(200);
    expect((await admin('DELETE', `/v1.0/directory/deletedItems/${IDS.megan}`)).status).toBe(204);
    expect((await admin('GET', `/v1.0/directory/deletedItems/${IDS.megan}`)).status).toBe(404);
    expect((await admin('POST', `/v1.0/directory/deletedItems/${IDS.megan}/restore`)).status).toBe(404);
  });

  it('refuses writes to the read-only app (403)', async () => {
    const r = await call(env.em, 'POST', '/v1.0/users', { token: env.reader, body: newUser() });

    expect(r.status).toBe(403);
  });
});

describe('group writes', () => {
  it('deletes a security group permanently but soft-deletes a Microsoft 365 group', async () => {
    await admin('DELETE', `/v1.0/groups/${IDS.platform}`);
    await admin('DELETE', `/v1.0/groups/${IDS.marketing}`);

    const deleted = await admin('GET', '/v1.0/directory/deletedItems/microsoft.graph.group');
    expect(deleted.json.value.map((g: { id: string }) => g.id)).toEqual([IDS.marketing]);
    const backend = await admin('GET', `/v1.0/groups/${IDS.backend}/members?$select=id`);
    expect(backend.json.value.map((m: { id: string }) => m.id)).toEqual([IDS.megan]);
  });

  it('creates and patches a group', async () => {
    const g = await admin('POST', '/v1.0/groups', {
      displayName: 'Ops',
      mailEnabled: false,
      mailNickname: 'ops',
      securityEnabled: true,
      'members@odata.bind': [`https://graph.microsoft.com/v1.0/directoryObjects/${IDS.adele}`],
    });
    const patched = await admin('PATCH', `/v1.0/groups/${g.json.id}`, { description: 'operations' });
    const read = await admin('GET', `/v1.0/groups/${g.json.id}?$select=description`);
    const members = await admin('GET', `/v1.0/groups/${g.json.id}/members?$select=id`);

    expect(g.status).toBe(201);
    expect(patched.status).toBe(204);
    expect(read.json.description).toBe('operations');
    expect(members.json.value).toEqual([{ '@odata.type': '#microsoft.graph.user', id: IDS.adele }]);
  });

  it('adds a member by $ref, answers 400 when already a member, and removes it', async () => {
    const ref = { '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.lynne}` };

    const added = await admin('POST', `/v1.0/groups/${IDS.platform}/members/$ref`, ref);
    const again = await admin('POST', `/v1.0/groups/${IDS.platform}/members/$ref`, ref);
    const removed = await admin('DELETE', `/v1.0/groups/${IDS.platform}/members/${IDS.lynne}/$ref`);
    const removedAgain = await admin('DELETE', `/v1.0/groups/${IDS.platform}/members/${IDS.lynne}/$ref`);

    expect(added.status).toBe(204);
    expect(again.status).toBe(400);
    expect(again.json.error).toMatchObject({
      code: 'Request_BadRequest',
      message:
        "One or more added object references already exist for the following modified properties: 'members'.",
    });
    expect(removed.status).toBe(204);
    expect(removedAgain.status).toBe(404);
  });

  it('does not nest groups inside a role-assignable group', async () => {
    const r = await admin('POST', `/v1.0/groups/${IDS.siteAdmins}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.platform}`,
    });

    expect(r.status).toBe(400);
  });
});
