import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, anEd25519Key, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

interface KeyJson {
  id: number;
  key: string;
  url: string;
  title: string;
  created_at: string;
}

describe('SSH keys (spec §2.8)', () => {
  it('creates a key for a user as admin: 201 with id, key, url, title, created_at', async () => {
    await gogs.createUser('kai');
    const key = anEd25519Key();
    const res = await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'laptop', key });
    expect(res.status).toBe(201);
    const body = res.json<KeyJson>();
    expect(body).toEqual({
      id: 1,
      key,
      url: `${gogs.url}/api/v1/user/keys/1`,
      title: 'laptop',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    expect(userOf(await gogs.state(), 'kai').keys).toMatchObject([{ id: 1, title: 'laptop', content: key }]);
  });

  it.each([
    ['garbage', 'not a key'],
    ['bad base64', 'ssh-ed25519 AAAA!!!!'],
    ['a blob shorter than its length prefix', 'ssh-ed25519 AAAAC3NzaC1l'],
  ])('refuses %s with 422 "Invalid key content: %%v: …" (the literal %%v is Gogs’)', async (_label, key) => {
    await gogs.createUser('kai');
    const res = await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 't', key });
    expect(res.status).toBe(422);
    expect(res.json<{ message: string }>().message).toMatch(
      /^Invalid key content: %v: extractTypeFromBase64Key: /,
    );
  });

  it('refuses a key whose declared type differs from the blob', async () => {
    await gogs.createUser('kai');
    const key = anEd25519Key().replace('ssh-ed25519', 'ssh-rsa');
    const res = await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 't', key });
    expect(res.json()).toEqual({
      message: 'Invalid key content: %v: key type and content does not match: ssh-rsa - ssh-ed25519',
      url: 'https://github.com/gogs/docs-api',
    });
  });

  it('compares key content exactly: the same key with another comment is accepted', async () => {
    await gogs.createUser('kai');
    const key = anEd25519Key('one');
    await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'a', key });
    const other = await gogs.admin('POST', '/api/v1/admin/users/kai/keys', {
      title: 'b',
      key: key.replace(/ one$/, ' two'),
    });
    expect(other.status).toBe(201);
  });

  it('refuses a key already used anywhere, then a title already used by the same user', async () => {
    await gogs.createUser('kai');
    await gogs.createUser('lou');
    const key = anEd25519Key();
    await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'laptop', key });
    const reused = await gogs.admin('POST', '/api/v1/admin/users/lou/keys', { title: 'laptop', key });
    expect(reused.status).toBe(422);
    expect(reused.json()).toMatchObject({ message: 'Key content has been used as non-deploy key' });
    const title = await gogs.admin('POST', '/api/v1/admin/users/kai/keys', {
      title: 'laptop',
      key: anEd25519Key(),
    });
    expect(title.json()).toMatchObject({ message: 'Key title has been used' });
    const otherUser = await gogs.admin('POST', '/api/v1/admin/users/lou/keys', {
      title: 'laptop',
      key: anEd25519Key(),
    });
    expect(otherUser.status).toBe(201);
  });

  it('validates the body (Title, Key required) before the user lookup', async () => {
    const res = await gogs.admin('POST', '/api/v1/admin/users/ghost/keys', {});
    expect(res.json()).toEqual([
      { fieldNames: ['Title'], classification: 'RequiredError', message: 'Required' },
      { fieldNames: ['Key'], classification: 'RequiredError', message: 'Required' },
    ]);
    const missing = await gogs.admin('POST', '/api/v1/admin/users/ghost/keys', {
      title: 't',
      key: anEd25519Key(),
    });
    expect(missing.status).toBe(404);
  });

  it('lists anyone’s keys and reads any key by id for any token holder', async () => {
    await gogs.createUser('kai');
    await gogs.createUser('lou');
    const louToken = await gogs.tokenFor('lou', 'lou-password');
    await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'a', key: anEd25519Key() });
    const list = await gogs.call('GET', '/api/v1/users/kai/keys', { token: louToken });
    expect(list.json<KeyJson[]>().map((k) => k.title)).toEqual(['a']);
    expect((await gogs.call('GET', '/api/v1/user/keys/1', { token: louToken })).json()).toMatchObject({
      title: 'a',
    });
    expect((await gogs.call('GET', '/api/v1/user/keys/99', { token: louToken })).status).toBe(404);
    expect((await gogs.call('GET', '/api/v1/users/kai/keys')).status).toBe(401);
    expect((await gogs.call('GET', '/api/v1/users/ghost/keys', { token: louToken })).status).toBe(404);
  });

  it('lets an admin delete anyone’s key; others get 403 with a message; unknown ids are 204', async () => {
    await gogs.createUser('kai');
    await gogs.createUser('lou');
    const louToken = await gogs.tokenFor('lou', 'lou-password');
    await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'a', key: anEd25519Key() });
    const denied = await gogs.call('DELETE', '/api/v1/user/keys/1', { token: louToken });
    expect(denied.status).toBe(403);
    expect(denied.json()).toEqual({
      message: 'You do not have access to this key.',
      url: 'https://github.com/gogs/docs-api',
    });
    const byAdmin = await gogs.call('DELETE', '/api/v1/user/keys/1', { token: ADMIN_TOKEN });
    expect(byAdmin.status).toBe(204);
    expect(userOf(await gogs.state(), 'kai').keys).toEqual([]);
    expect((await gogs.call('DELETE', '/api/v1/user/keys/1', { token: ADMIN_TOKEN })).status).toBe(204);
  });

  it('lets a token owner add and list their own keys', async () => {
    await gogs.createUser('kai');
    const token = await gogs.tokenFor('kai', 'kai-password');
    const created = await gogs.call('POST', '/api/v1/user/keys', {
      token,
      body: { title: 'mine', key: anEd25519Key() },
    });
    expect(created.status).toBe(201);
    const mine = await gogs.call('GET', '/api/v1/user/keys', { token });
    expect(mine.json<KeyJson[]>().map((k) => k.title)).toEqual(['mine']);
  });

  it('lets the owner delete their own key', async () => {
    await gogs.createUser('kai');
    const token = await gogs.tokenFor('kai', 'kai-password');
    await gogs.admin('POST', '/api/v1/admin/users/kai/keys', { title: 'a', key: anEd25519Key() });
    expect((await gogs.call('DELETE', '/api/v1/user/keys/1', { token })).status).toBe(204);
  });
});

describe('access tokens (spec §2.8)', () => {
  it('creates a token over Basic auth, returning the real token once, usable for token auth', async () => {
    await gogs.createUser('tia');
    const res = await gogs.call('POST', '/api/v1/users/tia/tokens', {
      basic: ['tia', 'tia-password'],
      body: { name: 'sync' },
    });
    expect(res.status).toBe(201);
    const { name, sha1 } = res.json<{ name: string; sha1: string }>();
    expect(name).toBe('sync');
    expect(sha1).toMatch(/^[0-9a-f]{40}$/);
    const me = await gogs.call('GET', '/api/v1/user', { token: sha1 });
    expect(me.json()).toMatchObject({ username: 'tia' });
    const list = await gogs.call('GET', '/api/v1/users/tia/tokens', { basic: ['tia', 'tia-password'] });
    const listed = list.json<{ name: string; sha1: string }[]>();
    expect(listed).toHaveLength(1);
    expect(listed[0]?.name).toBe('sync');
    expect(listed[0]?.sha1).toMatch(/^[0-9a-f]{40}$/);
    expect(listed[0]?.sha1).not.toBe(sha1);
    expect(userOf(await gogs.state(), 'tia').tokens).toMatchObject([{ name: 'sync' }]);
    expect(JSON.stringify(await gogs.state())).not.toContain(sha1);
  });

  it('acts on the Basic caller whatever :username says', async () => {
    await gogs.createUser('tia');
    const res = await gogs.call('POST', '/api/v1/users/root/tokens', {
      basic: ['tia', 'tia-password'],
      body: { name: 'x' },
    });
    expect(res.status).toBe(201);
    const state = await gogs.state();
    expect(userOf(state, 'tia').tokens.map((t) => t.name)).toEqual(['x']);
    expect(userOf(state, 'root').tokens.map((t) => t.name)).toEqual(['emulator-admin']);
  });

  it('refuses a duplicate name for the same user with 422, and token auth with 401', async () => {
    await gogs.createUser('tia');
    const basic: [string, string] = ['tia', 'tia-password'];
    await gogs.call('POST', '/api/v1/users/tia/tokens', { basic, body: { name: 'dup' } });
    const dup = await gogs.call('POST', '/api/v1/users/tia/tokens', { basic, body: { name: 'dup' } });
    expect(dup.status).toBe(422);
    expect(dup.json()).toMatchObject({ message: 'access token already exists: map[name:dup userID:2]' });
    const byToken = await gogs.call('POST', '/api/v1/users/root/tokens', {
      token: ADMIN_TOKEN,
      body: { name: 'z' },
    });
    expect(byToken.status).toBe(401);
    const empty = await gogs.call('POST', '/api/v1/users/tia/tokens', { basic, body: {} });
    expect(empty.json()).toEqual([
      { fieldNames: ['Name'], classification: 'RequiredError', message: 'Required' },
    ]);
  });

  it('keeps tokens working after a password change; deleting the user removes them', async () => {
    await gogs.createUser('tia');
    const token = await gogs.tokenFor('tia', 'tia-password');
    await gogs.admin('PATCH', '/api/v1/admin/users/tia', {
      email: 'tia@example.com',
      password: 'rotated',
      active: false,
    });
    expect((await gogs.call('GET', '/api/v1/user', { token })).status).toBe(200);
    await gogs.admin('DELETE', '/api/v1/admin/users/tia');
    expect((await gogs.call('GET', '/api/v1/user', { token })).status).toBe(401);
  });
});
