import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserProfile } from '../../../src/domain/actions.js';
import { GogsApiError } from '../../../src/gogs/gogsApiError.js';
import type { GogsServer } from '../../../src/gogs/gogsServer.js';
import { UsernameTakenError } from '../../../src/sync/errors.js';
import { anSshKey, type GogsTarget, gogsServerFor, gogsTarget, uniqueName } from './gogsTarget.js';

let target: GogsTarget;
let gogs: GogsServer;

beforeAll(async () => {
  target = await gogsTarget();
  gogs = gogsServerFor(target);
});
afterAll(() => target.close());

function profileOf(name: string, fullName = `Person ${name}`): UserProfile {
  return { email: `${name}@contoso.com`, fullName, sourceId: 0, loginName: '' };
}

async function aUserInTeams(teams: number) {
  const org = uniqueName('org');
  const name = uniqueName('user');
  await gogs.createOrg(org);
  const refs = [];
  for (let n = 0; n < teams; n++) {
    const ref = { org, team: `team-${n}` };
    await gogs.createTeam(org, ref.team, 'write');
    refs.push(ref);
  }
  await gogs.createUser(name, profileOf(name));
  for (const ref of refs) await gogs.addTeamMember(ref, name);
  return { org, name, refs };
}

describe('GogsServer against the Gogs API (contract: runs unchanged against a real Gogs)', () => {
  it('creates a user and lists it with the full name unescaped', async () => {
    const name = uniqueName('tom');
    await gogs.createUser(name, profileOf(name, "Tom & Jerry O'Brien"));
    const listed = (await gogs.listUsers()).find((u) => u.username === name);
    expect(listed).toMatchObject({ email: `${name}@contoso.com`, fullName: "Tom & Jerry O'Brien" });
  });

  it('lists every user however many, doubling the search limit while a page is full', async () => {
    const names = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
    for (const name of names) await gogs.createUser(name, profileOf(name));
    const small = gogsServerFor(target, { listingLimit: 1 });
    const listed = (await small.listUsers()).map((u) => u.username);
    expect(listed).toEqual(expect.arrayContaining([...names, await gogs.tokenOwner()]));
  });

  it('treats its own earlier create as done, and a name held by an org as taken', async () => {
    const name = uniqueName('idem');
    const first = await gogs.createUser(name, profileOf(name));
    expect(await gogs.createUser(name, profileOf(name))).toMatchObject({ id: first.id });

    const org = uniqueName('org');
    await gogs.createOrg(org);
    await expect(gogs.createUser(org, profileOf(org))).rejects.toBeInstanceOf(UsernameTakenError);
  });

  it('refuses an email another active account holds, with Gogs’ message and no retry', async () => {
    const [a, b] = [uniqueName('a'), uniqueName('b')];
    await gogs.createUser(a, profileOf(a));
    const error = await gogs.createUser(b, { ...profileOf(b), email: `${a}@contoso.com` }).catch((e) => e);
    expect(error).toBeInstanceOf(GogsApiError);
    expect(error).toMatchObject({ status: 422, retryable: false });
    expect(error.gogsMessage).toMatch(/email has been used/);
  });

  it('creates orgs and teams idempotently, with the Owners team and the mapped permission', async () => {
    const org = uniqueName('org');
    await gogs.createOrg(org);
    await gogs.createOrg(org);
    const team = await gogs.createTeam(org, 'engineering', 'write');
    expect(await gogs.createTeam(org, 'Engineering', 'write')).toMatchObject({ id: team.id });
    const teams = await gogs.listTeams(org);
    expect(teams?.map((t) => [t.name, t.permission])).toEqual([
      ['Owners', 'owner'],
      ['engineering', 'write'],
    ]);
    expect(await gogs.listTeams(uniqueName('missing'))).toBeUndefined();
  });

  it('adds and removes team members idempotently', async () => {
    const { refs, name } = await aUserInTeams(1);
    const ref = refs[0] as { org: string; team: string };
    await gogs.addTeamMember(ref, name);
    const id = (await gogs.teamId(ref)) as number;
    expect(await gogs.listTeamMembers(id)).toEqual([name]);
    await gogs.removeTeamMember(ref, name);
    await gogs.removeTeamMember(ref, name);
    expect(await gogs.listTeamMembers(id)).toEqual([]);
  });

  it('suspends: out of managed teams, keys gone, and residual access reported from what the API shows', async () => {
    const { org, name, refs } = await aUserInTeams(2);
    const unmanaged = await gogs.createTeam(org, 'legacy', 'read');
    await gogs.addTeamMember({ org, team: 'legacy' }, name);
    for (const title of ['laptop', 'desktop']) {
      await gogs.client.call('POST', `/admin/users/${name}/keys`, { json: { title, key: anSshKey() } });
    }
    await gogs.client.call('POST', `/admin/users/${name}/repos`, {
      json: { name: 'public-repo', private: false },
    });
    await gogs.client.call('POST', `/admin/users/${name}/repos`, {
      json: { name: 'secret-repo', private: true },
    });

    const residual = await gogs.suspendUser(name, profileOf(name), refs);

    for (const ref of refs)
      expect(await gogs.listTeamMembers((await gogs.teamId(ref)) as number)).toEqual([]);
    expect(await gogs.listKeys(name)).toEqual([]);
    expect(await gogs.listTeamMembers(unmanaged.id)).toEqual([name]);
    expect(residual).toEqual({
      accessTokens: 'possible',
      orgMemberships: [{ org: org.toLowerCase(), certainty: 'known' }],
      publicRepos: ['public-repo'],
      privateRepos: 'unknown',
      collaborations: 'unknown',
      unmanagedTeams: [{ org, team: 'legacy', removed: false }],
    });
  });

  it('reports a refused delete with the manual step instead of retrying it', async () => {
    const { name, refs } = await aUserInTeams(1);
    const result = await gogs.deleteUser(name, profileOf(name), refs);
    expect(result).toMatchObject({
      deleted: false,
      refusal: expect.stringMatching(/organization membership.*web UI/),
    });

    const loner = uniqueName('loner');
    await gogs.createUser(loner, profileOf(loner));
    expect(await gogs.deleteUser(loner, profileOf(loner), [])).toEqual({ deleted: true });
    expect(await gogs.getAccount(loner)).toBeUndefined();
  });
});

// Assertions only the emulator can make: it shows what Gogs' API hides.
if (!process.env.GOGS_TEST_URL) {
  describe('GogsServer, checked through the emulator’s hidden state', () => {
    async function stateOf(name: string) {
      const state = await target.emulator?.state();
      const user = state?.users.find((u) => u.username === name);
      if (!user) throw new Error(`no ${name} in the emulator state`);
      return user;
    }

    it('sends the full PATCH set: hidden fields written, omitted ones cleared (spec §2.5)', async () => {
      const name = uniqueName('patch');
      await gogs.createUser(name, { ...profileOf(name), sourceId: 0, loginName: '' });
      await gogs.updateUser(name, { ...profileOf(name), fullName: 'New Name' }, { admin: true });
      expect(await stateOf(name)).toMatchObject({
        isAdmin: true,
        active: true,
        website: '',
        fullName: 'New Name',
      });
    });

    it('offboards for real: inactive, not admin, a new password, no keys', async () => {
      const { name, refs } = await aUserInTeams(1);
      await gogs.updateUser(name, profileOf(name), { admin: true });
      await gogs.client.call('POST', `/admin/users/${name}/keys`, { json: { title: 'k', key: anSshKey() } });
      const before = await stateOf(name);

      await gogs.suspendUser(name, profileOf(name), refs);

      const after = await stateOf(name);
      expect(after).toMatchObject({ active: false, isAdmin: false, keys: [] });
      expect(after.passwordVersion).toBeGreaterThan(before.passwordVersion);
      expect(after.orgMemberships).toHaveLength(1);
    });

    it('reaches the right state through 30% injected 5xx and connection resets', async () => {
      const org = uniqueName('org');
      const names = [uniqueName('f1'), uniqueName('f2'), uniqueName('f3')];
      await gogs.createOrg(org);
      await gogs.createTeam(org, 'eng', 'write');
      await target.emulator?.faults({ errorRate: 0.15, statuses: [500, 502, 503], resetRate: 0.15, seed: 7 });
      const flaky = gogsServerFor(target, { retries: 12 });
      const bare = gogsServerFor(target, { retries: 0 });
      try {
        const probes = await Promise.allSettled(Array.from({ length: 20 }, () => bare.listTeams(org)));
        expect(probes.filter((p) => p.status === 'rejected').length).toBeGreaterThan(0);
        for (const name of names) {
          // A create is a POST (never retried by the transport): the worker would retry the message.
          for (let attempt = 0; ; attempt++) {
            const created = await flaky.createUser(name, profileOf(name)).then(
              () => true,
              (error) => (error.retryable && attempt < 20 ? false : Promise.reject(error)),
            );
            if (created) break;
          }
          await flaky.addTeamMember({ org, team: 'eng' }, name);
          await flaky.updateUser(name, profileOf(name, 'Renamed'), { active: true });
        }
        await flaky.removeTeamMember({ org, team: 'eng' }, names[0] as string);
      } finally {
        await target.emulator?.faults(null);
      }
      const team = (await gogs.listTeams(org))?.find((t) => t.name === 'eng');
      expect((await gogs.listTeamMembers(team?.id as number)).sort()).toEqual(names.slice(1).sort());
      for (const name of names)
        expect(await stateOf(name)).toMatchObject({ fullName: 'Renamed', active: true });
    });
  });
}
