import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, useGogsEmulator, userOf } from './harness.js';

const gogs = useGogsEmulator();

interface TeamJson {
  id: number;
  name: string;
  description: string;
  permission: string;
}

async function ownersTeamId(org: string): Promise<number> {
  const teams = (await gogs.admin('GET', `/api/v1/orgs/${org}/teams`)).json<TeamJson[]>();
  const owners = teams.find((t) => t.name === 'Owners');
  if (!owners) throw new Error('no Owners team');
  return owners.id;
}

describe('organizations (spec §3)', () => {
  it('creates an org with an Owners team and a private owner membership, echoing the request', async () => {
    await gogs.createUser('olivia');
    const res = await gogs.admin('POST', '/api/v1/admin/users/olivia/orgs', {
      username: 'Acme',
      full_name: 'Acme & Co',
      description: 'd',
      website: 'https://acme.example',
      location: 'here',
    });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({
      id: 3,
      username: 'Acme',
      full_name: 'Acme & Co',
      avatar_url: expect.any(String),
      description: 'd',
      website: 'https://acme.example',
      location: 'here',
    });
    const teams = (await gogs.admin('GET', '/api/v1/orgs/acme/teams')).json();
    expect(teams).toEqual([{ id: 1, name: 'Owners', description: '', permission: 'owner' }]);
    const state = await gogs.state();
    expect(userOf(state, 'olivia').orgMemberships).toEqual([{ org: 'Acme', isOwner: true, isPublic: false }]);
    expect(state.orgs[0]?.teams[0]?.members).toEqual(['olivia']);
    expect((await gogs.admin('GET', '/api/v1/orgs/acme')).json()).toMatchObject({
      full_name: 'Acme &amp; Co',
    });
  });

  it('shares one ID sequence and name space with users', async () => {
    const org = await gogs.createOrg('root', 'first-org');
    const user = await gogs.createUser('after-org');
    expect(org.json<{ id: number }>().id).toBe(2);
    expect(user.json<{ id: number }>().id).toBe(3);
    const clash = await gogs.createOrg('root', 'AFTER-ORG');
    expect(clash.json()).toMatchObject({ message: 'user already exists: map[name:AFTER-ORG]' });
  });

  it('checks the org name in the handler (v0.14.3): 422 "invalid org name"', async () => {
    for (const name of ['bad name', 'a'.repeat(36), 'x/y']) {
      const res = await gogs.createOrg('root', name);
      expect(res.status).toBe(422);
      expect(res.json()).toEqual({
        message: `invalid org name: "${name}"`,
        url: 'https://github.com/gogs/docs-api',
      });
    }
    const empty = await gogs.createOrg('root', '');
    expect(empty.json()).toEqual([
      { fieldNames: ['UserName'], classification: 'RequiredError', message: 'Required' },
    ]);
    const reserved = await gogs.createOrg('root', 'new');
    expect(reserved.json()).toMatchObject({ message: 'name is not allowed: map[name:new reason:reserved]' });
  });

  it('answers 404 for a missing owner', async () => {
    const res = await gogs.createOrg('ghost', 'ghost-org');
    expect(res.status).toBe(404);
    expect(res.text).toBe('');
  });

  it('POST /user/orgs makes the token owner the org owner', async () => {
    await gogs.createUser('pam');
    const token = await gogs.tokenFor('pam', 'pam-password');
    const res = await gogs.call('POST', '/api/v1/user/orgs', { token, body: { username: 'pams' } });
    expect(res.status).toBe(201);
    const mine = await gogs.call('GET', '/api/v1/user/orgs', { token });
    expect(mine.json()).toMatchObject([{ username: 'pams' }]);
  });

  it('GET /orgs/:orgname needs a token, even for a missing org', async () => {
    expect((await gogs.call('GET', '/api/v1/orgs/ghost')).status).toBe(401);
    expect((await gogs.admin('GET', '/api/v1/orgs/ghost')).status).toBe(404);
    expect((await gogs.call('GET', '/api/v1/orgs/ghost/teams')).status).toBe(401);
  });

  it('PATCH /orgs/:orgname is for owners only and overwrites all four fields', async () => {
    await gogs.createUser('quin');
    const token = await gogs.tokenFor('quin', 'quin-password');
    await gogs.admin('POST', '/api/v1/admin/users/quin/orgs', {
      username: 'quins',
      description: 'old',
      website: 'w',
    });
    const asAdmin = await gogs.admin('PATCH', '/api/v1/orgs/quins', { full_name: 'X' });
    expect(asAdmin.status).toBe(403);
    expect(asAdmin.text).toBe('');
    const asOwner = await gogs.call('PATCH', '/api/v1/orgs/quins', { token, body: { full_name: 'Quins' } });
    expect(asOwner.status).toBe(200);
    expect(asOwner.json()).toMatchObject({ full_name: 'Quins', description: '', website: '', location: '' });
  });

  it('lists only public memberships on /users/:username/orgs, and all on /user/orgs in id order', async () => {
    await gogs.createUser('ray');
    const token = await gogs.tokenFor('ray', 'ray-password');
    await gogs.createOrg('ray', 'zeta');
    await gogs.createOrg('ray', 'alpha');
    expect((await gogs.admin('GET', '/api/v1/users/ray/orgs')).json()).toEqual([]);
    const mine = (await gogs.call('GET', '/api/v1/user/orgs', { token })).json<{ username: string }[]>();
    expect(mine.map((o) => o.username)).toEqual(['zeta', 'alpha']);
    expect((await gogs.call('GET', '/api/v1/users/ghost/orgs')).status).toBe(404);
  });
});

describe('teams (spec §4.1, §4.2)', () => {
  it.each([
    ['write', 'write'],
    ['admin', 'admin'],
    ['read', 'read'],
    ['owner', 'read'],
    ['Write', 'read'],
    ['none', 'read'],
    [undefined, 'read'],
  ])('maps permission %s to %s', async (permission, expected) => {
    await gogs.createOrg('root', 'acme');
    const res = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', {
      name: 'devs',
      description: 'D',
      permission,
    });
    expect(res.status).toBe(201);
    expect(res.json()).toEqual({ id: 2, name: 'devs', description: 'D', permission: expected });
  });

  it('refuses a duplicate name case-insensitively (Owners included) with the existing id', async () => {
    await gogs.createOrg('root', 'acme');
    const first = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'Devs' });
    expect(first.status).toBe(201);
    const dup = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'DEVS' });
    expect(dup.status).toBe(422);
    expect(dup.json()).toEqual({
      message: 'team already exists [id: 2, org_id: 2, name: devs]',
      url: 'https://github.com/gogs/docs-api',
    });
    const owners = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'owners' });
    expect(owners.json()).toMatchObject({ message: 'team already exists [id: 1, org_id: 2, name: owners]' });
  });

  it('answers 500 with the generic message for the reserved team name "new"', async () => {
    await gogs.createOrg('root', 'acme');
    const res = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'New' });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({
      message: 'Something went wrong, please check the server logs for more information.',
      url: 'https://github.com/gogs/docs-api',
    });
  });

  it('validates the team name by binding', async () => {
    await gogs.createOrg('root', 'acme');
    const res = await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', {
      name: 'a'.repeat(31),
      description: 'x'.repeat(256),
    });
    expect(res.json()).toEqual([
      { fieldNames: ['Name'], classification: 'MaxSizeError', message: 'MaxSize' },
      { fieldNames: ['Description'], classification: 'MaxSizeError', message: 'MaxSize' },
    ]);
  });

  it('lists teams to any token holder, in creation order', async () => {
    await gogs.createUser('sue');
    const token = await gogs.tokenFor('sue', 'sue-password');
    await gogs.createOrg('root', 'acme');
    await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'b-team', permission: 'write' });
    const res = await gogs.call('GET', '/api/v1/orgs/acme/teams', { token });
    expect(res.json<TeamJson[]>().map((t) => t.name)).toEqual(['Owners', 'b-team']);
  });
});

describe('team members (spec §4.3)', () => {
  it('adds members idempotently with 204, creating a private org_user row', async () => {
    await gogs.createUser('tia');
    await gogs.createOrg('root', 'acme');
    const team = (
      await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'devs' })
    ).json<TeamJson>();
    for (let i = 0; i < 2; i++) {
      const res = await gogs.admin('PUT', `/api/v1/admin/teams/${team.id}/members/TIA`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    }
    const tia = userOf(await gogs.state(), 'tia');
    expect(tia.orgMemberships).toEqual([{ org: 'acme', isOwner: false, isPublic: false }]);
    expect(tia.teams).toEqual([{ org: 'acme', team: 'devs', teamId: team.id, permission: 'read' }]);
    const members = await gogs.admin('GET', `/api/v1/admin/teams/${team.id}/members`);
    expect(members.json()).toMatchObject([{ username: 'tia', email: 'tia@example.com' }]);
  });

  it('removes members with 204 (also when not a member) and keeps the org_user row', async () => {
    await gogs.createUser('ula');
    await gogs.createOrg('root', 'acme');
    const team = (
      await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'devs' })
    ).json<TeamJson>();
    await gogs.admin('PUT', `/api/v1/admin/teams/${team.id}/members/ula`);
    expect((await gogs.admin('DELETE', `/api/v1/admin/teams/${team.id}/members/ula`)).status).toBe(204);
    expect((await gogs.admin('DELETE', `/api/v1/admin/teams/${team.id}/members/ula`)).status).toBe(204);
    const ula = userOf(await gogs.state(), 'ula');
    expect(ula.teams).toEqual([]);
    expect(ula.orgMemberships).toEqual([{ org: 'acme', isOwner: false, isPublic: false }]);
    expect((await gogs.admin('GET', `/api/v1/admin/teams/${team.id}/members`)).json()).toEqual([]);
  });

  it('answers 500 when removing the last member of Owners, and manages is_owner', async () => {
    await gogs.createUser('vic');
    await gogs.createOrg('root', 'acme');
    const owners = await ownersTeamId('acme');
    const last = await gogs.admin('DELETE', `/api/v1/admin/teams/${owners}/members/root`);
    expect(last.status).toBe(500);
    expect(last.json()).toMatchObject({
      message: 'Something went wrong, please check the server logs for more information.',
    });
    await gogs.admin('PUT', `/api/v1/admin/teams/${owners}/members/vic`);
    expect(userOf(await gogs.state(), 'vic').orgMemberships[0]?.isOwner).toBe(true);
    expect((await gogs.admin('DELETE', `/api/v1/admin/teams/${owners}/members/root`)).status).toBe(204);
    expect(userOf(await gogs.state(), 'root').orgMemberships).toEqual([
      { org: 'acme', isOwner: false, isPublic: false },
    ]);
  });

  it('answers 404 for an unknown or non-numeric team id, then for an unknown user', async () => {
    await gogs.createOrg('root', 'acme');
    for (const id of ['999', 'abc']) {
      const res = await gogs.admin('PUT', `/api/v1/admin/teams/${id}/members/root`);
      expect(res.status).toBe(404);
      expect(res.text).toBe('');
    }
    expect((await gogs.admin('PUT', '/api/v1/admin/teams/1/members/ghost')).status).toBe(404);
  });

  it('needs admin for member routes', async () => {
    await gogs.createOrg('root', 'acme');
    expect((await gogs.call('GET', '/api/v1/admin/teams/1/members')).status).toBe(403);
    expect(
      (await gogs.call('PUT', '/api/v1/admin/teams/1/members/root', { basic: ['root', 'root-password'] }))
        .status,
    ).toBe(204);
  });
});

describe('team repositories (spec §4.4)', () => {
  it('adds and removes an org repo by case-insensitive name, idempotently, 404 for others', async () => {
    await gogs.createOrg('root', 'acme');
    await gogs.call('POST', '/api/v1/org/acme/repos', { token: ADMIN_TOKEN, body: { name: 'Site' } });
    await gogs.admin('POST', '/api/v1/admin/users/root/repos', { name: 'mine' });
    const team = (
      await gogs.admin('POST', '/api/v1/admin/orgs/acme/teams', { name: 'web' })
    ).json<TeamJson>();
    expect((await gogs.admin('PUT', `/api/v1/admin/teams/${team.id}/repos/site`)).status).toBe(204);
    expect((await gogs.admin('PUT', `/api/v1/admin/teams/${team.id}/repos/SITE`)).status).toBe(204);
    expect((await gogs.state()).orgs[0]?.teams[1]?.repos).toEqual(['acme/Site']);
    expect((await gogs.admin('PUT', `/api/v1/admin/teams/${team.id}/repos/mine`)).status).toBe(404);
    expect((await gogs.admin('DELETE', `/api/v1/admin/teams/${team.id}/repos/site`)).status).toBe(204);
    expect((await gogs.admin('DELETE', `/api/v1/admin/teams/${team.id}/repos/site`)).status).toBe(204);
    expect((await gogs.state()).orgs[0]?.teams[1]?.repos).toEqual([]);
  });
});
