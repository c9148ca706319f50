import { describe, expect, it } from 'vitest';
import { anEd25519Key, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

describe('POST /admin/users (spec §2.4)', () => {
  it('creates an active, non-admin local user, lower-cases the email and answers 201 with user JSON', async () => {
    const res = await gogs.admin('POST', '/api/v1/admin/users', {
      username: 'Alice',
      email: '  Alice@Example.COM ',
      full_name: 'Alice A',
      password: 'secret-1',
      login_name: 'alice@corp',
    });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({
      id: 2,
      username: 'Alice',
      login: 'Alice',
      full_name: 'Alice A',
      email: 'alice@example.com',
      avatar_url: expect.stringMatching(
        /^https:\/\/secure\.gravatar\.com\/avatar\/[0-9a-f]{32}\?d=identicon$/,
      ),
    });
    const alice = userOf(await gogs.state(), 'Alice');
    expect(alice).toMatchObject({
      active: true,
      isAdmin: false,
      prohibitLogin: false,
      maxRepoCreation: -1,
      loginName: 'alice@corp',
    });
  });

  it.each([
    ['admin', 'name is not allowed: map[name:admin reason:reserved]'],
    ['API', 'name is not allowed: map[name:api reason:reserved]'],
    ['-', 'name is not allowed: map[name:- reason:reserved]'],
    ['Bob.KEYS', 'name is not allowed: map[pattern:*.keys reason:reserved]'],
  ])('refuses the reserved name %s with 422', async (username, message) => {
    const res = await gogs.admin('POST', '/api/v1/admin/users', { username, email: 'r@example.com' });
    expect(res.status).toBe(422);
    expect(res.json()).toEqual({ message, url: 'https://github.com/gogs/docs-api' });
  });

  it('refuses a name taken by a user or an org, case-insensitively, quoting the name as sent', async () => {
    await gogs.createOrg('root', 'acme');
    const user = await gogs.admin('POST', '/api/v1/admin/users', {
      username: 'ROOT',
      email: 'x@example.com',
    });
    expect(user.json()).toMatchObject({ message: 'user already exists: map[name:ROOT]' });
    const org = await gogs.admin('POST', '/api/v1/admin/users', { username: 'Acme', email: 'x@example.com' });
    expect(org.status).toBe(422);
    expect(org.json()).toMatchObject({ message: 'user already exists: map[name:Acme]' });
  });

  it('refuses an email used by an active user (lower-cased in the message)', async () => {
    const res = await gogs.admin('POST', '/api/v1/admin/users', {
      username: 'root2',
      email: 'ROOT@example.com',
    });
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ message: 'email has been used: map[email:root@example.com]' });
  });

  it('checks the name before the email', async () => {
    const res = await gogs.admin('POST', '/api/v1/admin/users', {
      username: 'root',
      email: 'root@example.com',
    });
    expect(res.json()).toMatchObject({ message: 'user already exists: map[name:root]' });
  });

  it('lets a new user reuse the email of an inactive user', async () => {
    await gogs.createUser('old', { email: 'shared@example.com' });
    await gogs.admin('PATCH', '/api/v1/admin/users/old', { email: 'shared@example.com', active: false });
    const res = await gogs.createUser('new1', { email: 'shared@example.com' });
    expect(res.status).toBe(201);
  });

  it('refuses an unknown login source', async () => {
    const res = await gogs.createUser('ldapuser', { source_id: 3 });
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ message: 'login source does not exist: map[id:3]' });
  });
});

describe('PATCH /admin/users/:username (spec §2.5)', () => {
  it('clears omitted strings, keeps omitted flags, and answers 200 user JSON', async () => {
    await gogs.createUser('erin', { full_name: 'Erin E', login_name: 'erin@corp' });
    await gogs.admin('PATCH', '/api/v1/admin/users/erin', {
      email: 'erin@example.com',
      full_name: 'Erin E',
      website: 'https://e.example',
      location: 'Oslo',
      login_name: 'erin@corp',
      allow_git_hook: true,
      max_repo_creation: 5,
    });
    const res = await gogs.admin('PATCH', '/api/v1/admin/users/ERIN', { email: 'erin@example.com' });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ username: 'erin', full_name: '', email: 'erin@example.com' });
    const erin = userOf(await gogs.state(), 'erin');
    expect(erin).toMatchObject({
      fullName: '',
      website: '',
      location: '',
      loginName: '',
      sourceId: 0,
      allowGitHook: true,
      maxRepoCreation: 5,
      active: true,
      passwordVersion: 0,
    });
  });

  it('changes the password only when non-empty', async () => {
    await gogs.createUser('fay');
    await gogs.admin('PATCH', '/api/v1/admin/users/fay', { email: 'fay@example.com', password: '' });
    expect(userOf(await gogs.state(), 'fay').passwordVersion).toBe(0);
    await gogs.admin('PATCH', '/api/v1/admin/users/fay', {
      email: 'fay@example.com',
      password: 'new-secret',
    });
    expect(userOf(await gogs.state(), 'fay').passwordVersion).toBe(1);
    const old = await gogs.call('GET', '/api/v1/users/fay/tokens', { basic: ['fay', 'fay-password'] });
    expect(old.status).toBe(401);
    const fresh = await gogs.call('GET', '/api/v1/users/fay/tokens', { basic: ['fay', 'new-secret'] });
    expect(fresh.status).toBe(200);
  });

  it('sets active, admin and clamps max_repo_creation below -1', async () => {
    await gogs.createUser('gus');
    await gogs.admin('PATCH', '/api/v1/admin/users/gus', {
      email: 'gus@example.com',
      active: false,
      admin: true,
      max_repo_creation: -7,
    });
    expect(userOf(await gogs.state(), 'gus')).toMatchObject({
      active: false,
      isAdmin: true,
      maxRepoCreation: -1,
    });
  });

  it('stores the email as sent and refuses one used by another active user', async () => {
    await gogs.createUser('hal');
    await gogs.admin('PATCH', '/api/v1/admin/users/hal', { email: 'Hal.New@Example.com' });
    expect(userOf(await gogs.state(), 'hal').email).toBe('Hal.New@Example.com');
    const taken = await gogs.admin('PATCH', '/api/v1/admin/users/hal', { email: 'Root@example.com' });
    expect(taken.status).toBe(422);
    expect(taken.json()).toMatchObject({ message: 'email has been used: map[email:Root@example.com]' });
  });

  it('reproduces the case-only self-collision quirk; the identical string is a no-op', async () => {
    await gogs.createUser('ida');
    const same = await gogs.admin('PATCH', '/api/v1/admin/users/ida', { email: 'ida@example.com' });
    expect(same.status).toBe(200);
    const caseOnly = await gogs.admin('PATCH', '/api/v1/admin/users/ida', { email: 'IDA@example.com' });
    expect(caseOnly.status).toBe(422);
    expect(caseOnly.json()).toMatchObject({ message: 'email has been used: map[email:IDA@example.com]' });
  });

  it('ignores a username key: renaming is impossible', async () => {
    await gogs.createUser('jan');
    const res = await gogs.admin('PATCH', '/api/v1/admin/users/jan', {
      email: 'jan@example.com',
      username: 'janet',
    });
    expect(res.json()).toMatchObject({ username: 'jan' });
  });

  it('requires email on every PATCH', async () => {
    await gogs.createUser('kim');
    const res = await gogs.admin('PATCH', '/api/v1/admin/users/kim', { full_name: 'Kim' });
    expect(res.status).toBe(422);
    expect(res.json()).toEqual([
      { fieldNames: ['Email'], classification: 'RequiredError', message: 'Required' },
    ]);
  });
});

describe('DELETE /admin/users/:username (spec §2.6)', () => {
  it('answers 404 with an empty body for a missing user', async () => {
    const res = await gogs.admin('DELETE', '/api/v1/admin/users/ghost');
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
  });

  it('refuses while the user owns a repository, before checking org membership', async () => {
    await gogs.createUser('leo');
    await gogs.createOrg('leo', 'leo-org');
    await gogs.admin('POST', '/api/v1/admin/users/leo/repos', { name: 'private-stuff', private: true });
    const res = await gogs.admin('DELETE', '/api/v1/admin/users/leo');
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ message: 'user still has repository ownership: map[userID:2]' });
  });

  it('refuses while an org_user row exists, even after removal from every team', async () => {
    await gogs.createUser('mia');
    const org = await gogs.createOrg('root', 'acme');
    expect(org.status).toBe(201);
    const team = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'devs' });
    const teamId = team.json<{ id: number }>().id;
    await gogs.admin('PUT', `/api/v1/admin/teams/${teamId}/members/mia`);
    await gogs.admin('DELETE', `/api/v1/admin/teams/${teamId}/members/mia`);
    const res = await gogs.admin('DELETE', '/api/v1/admin/users/mia');
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ message: 'user still has organization membership: map[userID:2]' });
  });

  it('deletes the user with keys, tokens and collaborations, answering 204', async () => {
    await gogs.createUser('ned');
    const token = await gogs.tokenFor('ned', 'ned-password');
    const key = await gogs.admin('POST', '/api/v1/admin/users/ned/keys', { title: 'k', key: anEd25519Key() });
    const keyId = key.json<{ id: number }>().id;
    await gogs.admin('POST', '/api/v1/admin/users/root/repos', { name: 'shared' });
    await fetch(`${gogs.url}/_emulator/users/ned/collaborations`, {
      method: 'POST',
      body: '{"repo":"root/shared"}',
    });
    const res = await gogs.admin('DELETE', '/api/v1/admin/users/ned');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const state = await gogs.state();
    expect(state.users.map((u) => u.username)).toEqual(['root']);
    expect(state.repos[0]?.collaborators).toEqual([]);
    expect((await gogs.call('GET', '/api/v1/users/ned')).status).toBe(404);
    expect((await gogs.admin('GET', `/api/v1/user/keys/${keyId}`)).status).toBe(404);
    expect((await gogs.call('GET', '/api/v1/user', { token })).status).toBe(401);
  });
});
