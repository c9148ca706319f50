import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

const names = (res: { json: <T>() => T }) => res.json<{ name: string }[]>().map((r) => r.name);

describe('repositories (spec §2.9, §10)', () => {
  it('creates public and private repos for a user as admin', async () => {
    await gogs.createUser('rob');
    const pub = await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'open' });
    expect(pub.status).toBe(201);
    expect(pub.json()).toMatchObject({
      name: 'open',
      full_name: 'rob/open',
      private: false,
      owner: { username: 'rob' },
    });
    const priv = await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'secret', private: true });
    expect(priv.json()).toMatchObject({ private: true });
    expect(userOf(await gogs.state(), 'rob').repos).toMatchObject([
      { name: 'open', private: false },
      { name: 'secret', private: true },
    ]);
  });

  it('answers 500 for an existing name in any case (v0.14.3 finds the directory first)', async () => {
    await gogs.createUser('rob');
    await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'open' });
    const dup = await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'OPEN' });
    expect(dup.status).toBe(500);
    expect(dup.json()).toMatchObject({
      message: 'Something went wrong, please check the server logs for more information.',
    });
  });

  it('refuses reserved repository names with 422', async () => {
    await gogs.createUser('rob');
    const res = await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'x.git' });
    expect(res.status).toBe(422);
    expect(res.json()).toMatchObject({ message: 'name is not allowed: map[pattern:*.git reason:reserved]' });
  });

  it('lists only public repos unless the caller is the owner, site admins included', async () => {
    await gogs.createUser('rob');
    const robToken = await gogs.tokenFor('rob', 'rob-password');
    await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'open' });
    await gogs.admin('POST', '/api/v1/admin/users/rob/repos', { name: 'secret', private: true });
    expect(names(await gogs.admin('GET', '/api/v1/users/rob/repos'))).toEqual(['open']);
    expect(names(await gogs.call('GET', '/api/v1/users/rob/repos', { token: robToken }))).toEqual([
      'open',
      'secret',
    ]);
    expect((await gogs.call('GET', '/api/v1/users/rob/repos')).status).toBe(401);
  });

  it('creates org repos only for Owners-team members (403 message otherwise, admins included)', async () => {
    await gogs.createUser('sam');
    const samToken = await gogs.tokenFor('sam', 'sam-password');
    await gogs.createOrg('sam', 'sams');
    const owner = await gogs.call('POST', '/api/v1/org/sams/repos', {
      token: samToken,
      body: { name: 'site' },
    });
    expect(owner.status).toBe(201);
    const admin = await gogs.call('POST', '/api/v1/org/sams/repos', {
      token: ADMIN_TOKEN,
      body: { name: 'other' },
    });
    expect(admin.status).toBe(403);
    expect(admin.json()).toEqual({
      message: 'Given user is not owner of organization.',
      url: 'https://github.com/gogs/docs-api',
    });
  });

  it('lets an admin token delete a user-owned repo, which then allows deleting the user', async () => {
    await gogs.createUser('tom');
    await gogs.admin('POST', '/api/v1/admin/users/tom/repos', { name: 'hidden', private: true });
    expect((await gogs.admin('DELETE', '/api/v1/admin/users/tom')).status).toBe(422);
    expect((await gogs.admin('DELETE', '/api/v1/repos/tom/HIDDEN')).status).toBe(204);
    expect((await gogs.admin('DELETE', '/api/v1/repos/tom/hidden')).status).toBe(404);
    expect((await gogs.admin('DELETE', '/api/v1/admin/users/tom')).status).toBe(204);
  });

  it('refuses repo deletion to non-owners (403 empty) and hides private repos from strangers (404)', async () => {
    await gogs.createUser('uma');
    const umaToken = await gogs.tokenFor('uma', 'uma-password');
    await gogs.createOrg('root', 'acme');
    await gogs.admin('POST', '/api/v1/admin/users/acme/repos', { name: 'pub' });
    await gogs.admin('POST', '/api/v1/admin/users/acme/repos', { name: 'priv', private: true });
    const pub = await gogs.call('DELETE', '/api/v1/repos/acme/pub', { token: umaToken });
    expect(pub.status).toBe(403);
    expect(pub.text).toBe('');
    expect((await gogs.call('DELETE', '/api/v1/repos/acme/priv', { token: umaToken })).status).toBe(404);
    expect((await gogs.admin('DELETE', '/api/v1/repos/acme/pub')).status).toBe(204);
  });

  it('refuses an admin token that is not an org owner with the org-owner message', async () => {
    await gogs.createUser('vera');
    const veraToken = await gogs.tokenFor('vera', 'vera-password');
    await gogs.createOrg('vera', 'veras');
    await gogs.call('POST', '/api/v1/org/veras/repos', { token: veraToken, body: { name: 'site' } });
    const res = await gogs.admin('DELETE', '/api/v1/repos/veras/site');
    expect(res.status).toBe(403);
    expect(res.json()).toEqual({
      message: 'Given user is not owner of organization.',
      url: 'https://github.com/gogs/docs-api',
    });
    const owners = (await gogs.state()).orgs[0]?.teams[0];
    expect(owners).toMatchObject({ name: 'Owners', repos: ['veras/site'] });
  });

  it('lets a token owner create and list their own repositories, and lists org repositories', async () => {
    await gogs.createUser('wyn');
    const token = await gogs.tokenFor('wyn', 'wyn-password');
    const created = await gogs.call('POST', '/api/v1/user/repos', {
      token,
      body: { name: 'mine', private: true },
    });
    expect(created.status).toBe(201);
    expect(names(await gogs.call('GET', '/api/v1/user/repos', { token }))).toEqual(['mine']);
    await gogs.createOrg('root', 'acme');
    await gogs.admin('POST', '/api/v1/admin/users/acme/repos', { name: 'hidden', private: true });
    await gogs.admin('POST', '/api/v1/admin/users/acme/repos', { name: 'shown' });
    expect(names(await gogs.call('GET', '/api/v1/orgs/acme/repos', { token }))).toEqual(['shown']);
    expect(names(await gogs.admin('GET', '/api/v1/orgs/acme/repos'))).toEqual(['hidden', 'shown']);
  });
});
