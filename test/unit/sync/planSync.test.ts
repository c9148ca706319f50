import { describe, expect, it } from 'vitest';
import { aGuest, anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { SyncHarness } from '../../fakes/syncHarness.js';

const ENG = anObjectId(0xe0);
const PLATFORM = anObjectId(0xe1);
const ADMINS = anObjectId(0xad);

function harness(overrides: Parameters<typeof aPolicy>[0] = {}) {
  const h = new SyncHarness(
    aPolicy({
      siteAdminGroup: ADMINS,
      mapping: [
        { group: ENG, org: 'acme', team: 'engineering', permission: 'write' },
        { group: ADMINS, org: 'acme', team: 'Owners' },
      ],
      ...overrides,
    }),
  );
  h.directory.groups.set(ENG, new Set([PLATFORM]));
  h.directory.groups.set(PLATFORM, new Set());
  h.directory.groups.set(ADMINS, new Set());
  return h;
}

function kinds(plan: { actions: { kind: string; username?: string }[] }): string[] {
  return plan.actions.map((a) => `${a.kind}${a.username ? `:${a.username}` : ''}`);
}

describe('planSync and applyPlan', () => {
  it('creates nested-group members, their org and team, then plans nothing more', async () => {
    const h = harness();
    const zoe = aUser({ mailNickname: 'Zoë.Ångström', displayName: 'Zoë Ångström' });
    h.directory.users.set(zoe.id, zoe);
    h.directory.groups.get(PLATFORM)?.add(zoe.id);

    const plan = await h.planReconcile();
    expect(kinds(plan)).toEqual([
      'createOrg',
      'createTeam',
      'createUser:zoe.angstrom',
      'addTeamMember:zoe.angstrom',
    ]);
    const outcomes = await h.apply(plan);

    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(h.git.teamMembers('acme', 'engineering')).toEqual(['zoe.angstrom']);
    expect((await h.planReconcile()).actions).toEqual([]);
    expect(await h.divergence()).toEqual([]);
  });

  it('is deterministic and does not mutate its inputs', async () => {
    const h = harness();
    for (let n = 1; n <= 20; n++) {
      const user = aUser({ id: anObjectId(n), mailNickname: n % 2 ? 'same' : `u${n}` });
      h.directory.users.set(user.id, user);
      h.directory.groups.get(ENG)?.add(user.id);
    }
    const first = await h.planReconcile();
    const snapshot = JSON.stringify(first);
    const second = await h.planReconcile();
    expect(JSON.stringify(second)).toBe(snapshot);
    expect(first.actions.filter((a) => a.kind === 'createUser').map((a) => a.username)).toContain('same-10');
  });

  it('suspends a disabled user: teams, keys, password and active flag, within one budget unit', async () => {
    const h = harness();
    const bob = aUser({ mailNickname: 'bob' });
    h.directory.users.set(bob.id, bob);
    h.directory.groups.get(ENG)?.add(bob.id);
    await h.reconcile();
    h.git.addKey('bob');
    const before = h.git.hidden('bob').passwordVersion;

    bob.accountEnabled = false;
    const plan = await h.planReconcile();
    expect(kinds(plan)).toEqual(['suspendUser:bob']);
    await h.apply(plan);

    expect(h.git.hidden('bob')).toMatchObject({ active: false, admin: false });
    expect(h.git.hidden('bob').passwordVersion).toBeGreaterThan(before);
    expect(await h.git.listKeys('bob')).toEqual([]);
    expect(h.git.teamMembers('acme', 'engineering')).toEqual([]);
    expect(h.state.draws).toHaveLength(1);
    expect(await h.divergence()).toEqual([]);
  });

  it('re-suspends when SSH keys come back on a suspended account', async () => {
    const h = harness();
    const bob = aUser({ mailNickname: 'bob', accountEnabled: true });
    h.directory.users.set(bob.id, bob);
    h.directory.groups.get(ENG)?.add(bob.id);
    await h.reconcile();
    bob.accountEnabled = false;
    await h.reconcile();
    h.git.addKey('bob');

    const plan = await h.planReconcile();
    expect(plan.actions).toMatchObject([{ kind: 'suspendUser', alreadySuspended: true }]);
    await h.apply(plan);
    expect(await h.git.listKeys('bob')).toEqual([]);
  });

  it('grants and revokes site admin from the site-admin group, Owners keeping its last member', async () => {
    const h = harness();
    const ann = aUser({ mailNickname: 'ann' });
    h.directory.users.set(ann.id, ann);
    h.directory.groups.get(ADMINS)?.add(ann.id);
    await h.reconcile();
    expect(h.git.hidden('ann').admin).toBe(true);
    expect(h.git.teamMembers('acme', 'owners')).toEqual(['ann', 'root']);

    h.directory.groups.get(ADMINS)?.delete(ann.id);
    h.directory.groups.get(ENG)?.add(ann.id);
    const plan = await h.planReconcile();
    expect(kinds(plan)).toEqual(['setSiteAdmin:ann', 'addTeamMember:ann', 'removeTeamMember:ann']);
    await h.apply(plan);
    expect(h.git.hidden('ann').admin).toBe(false);
    expect(h.git.teamMembers('acme', 'owners')).toEqual(['root']);
    expect(await h.divergence()).toEqual([]);
  });

  it('never touches the token owner, protected or unmanaged accounts, even inside managed teams', async () => {
    const h = harness({ protectedUsers: new Set(['ci-bot']) });
    h.git.addUnmanaged('ci-bot', 'ci@contoso.com');
    h.git.addUnmanaged('legacy', 'legacy@contoso.com');
    await h.git.createOrg('acme');
    await h.git.createTeam('acme', 'engineering', 'write');
    await h.git.addTeamMember({ org: 'acme', team: 'engineering' }, 'legacy');
    await h.git.addTeamMember({ org: 'acme', team: 'engineering' }, 'ci-bot');
    const root = aUser({ mailNickname: 'root' });
    const bot = aUser({ mailNickname: 'ci-bot' });
    for (const user of [root, bot]) {
      h.directory.users.set(user.id, user);
      h.directory.groups.get(ENG)?.add(user.id);
    }

    const plan = await h.planReconcile();
    expect(kinds(plan).sort()).toEqual([
      'addTeamMember:ci-bot-2',
      'addTeamMember:root-2',
      'createUser:ci-bot-2',
      'createUser:root-2',
    ]);
    expect(plan.findings).toContainEqual({
      kind: 'usernameCollision',
      objectId: root.id,
      wanted: 'root',
      chosen: 'root-2',
    });
  });

  it('adopts an existing account only when name and email match, and never a guest', async () => {
    const h = harness({ adoptExisting: 'usernameAndEmail' });
    h.git.addUnmanaged('carol', 'carol@contoso.com');
    h.git.addUnmanaged('dave', 'someone-else@contoso.com');
    h.git.addUnmanaged('alice_fabrikam.com', 'alice.old@fabrikam.com');
    const carol = aUser({ mailNickname: 'carol', mail: 'Carol@Contoso.com' });
    const dave = aUser({ mailNickname: 'dave' });
    const guest = aGuest();
    for (const user of [carol, dave, guest]) {
      h.directory.users.set(user.id, user);
      h.directory.groups.get(ENG)?.add(user.id);
    }
    const plan = await h.planReconcile();
    const userActions = kinds(plan).filter((k) => /^(adopt|createUser|setSite)/.test(k));
    expect(userActions.sort()).toEqual([
      'adoptUser:carol',
      'createUser:alice_fabrikam.com-2',
      'createUser:dave-2',
      'setSiteAdmin:carol',
    ]);
    await h.apply(plan);
    expect(h.git.hidden('carol')).toMatchObject({ active: true, admin: false });
    expect(await h.divergence()).toEqual([]);
  });

  it('keeps Gogs’ spelling of an email that differs only in case (a case-only PATCH collides, spec §2.5)', async () => {
    const h = harness();
    const eve = aUser({ mailNickname: 'eve', mail: 'eve@contoso.com' });
    h.directory.users.set(eve.id, eve);
    h.directory.groups.get(ENG)?.add(eve.id);
    await h.reconcile();
    eve.mail = 'Eve@Contoso.com';
    eve.displayName = 'Eve Adams';

    const outcomes = await h.reconcile();
    expect(outcomes).toMatchObject([
      { action: { kind: 'updateUser', changes: ['fullName'] }, status: 'applied' },
    ]);
  });

  it('reports an email another account holds instead of failing the create', async () => {
    const h = harness();
    h.git.addUnmanaged('hal-legacy', 'hal@contoso.com');
    const hal = aUser({ mailNickname: 'hal', mail: 'HAL@contoso.com' });
    h.directory.users.set(hal.id, hal);
    h.directory.groups.get(ENG)?.add(hal.id);
    const plan = await h.planReconcile();
    expect(plan.actions.filter((a) => a.kind === 'createUser')).toEqual([]);
    expect(plan.findings).toContainEqual({ kind: 'emailInUse', objectId: hal.id, holder: 'hal-legacy' });
  });

  it('reports a user without any email instead of skipping them silently', async () => {
    const h = harness();
    const ghost = aGuest({ mail: null });
    h.directory.users.set(ghost.id, ghost);
    h.directory.groups.get(ENG)?.add(ghost.id);
    const plan = await h.planReconcile();
    expect(plan.actions.filter((a) => a.kind === 'createUser')).toEqual([]);
    expect(plan.findings).toContainEqual({ kind: 'noEmail', objectId: ghost.id });
  });

  it('picks another name when Gogs refuses one that an org holds, and never reissues a name', async () => {
    const h = harness();
    await h.git.createOrg('frank');
    const frank = aUser({ mailNickname: 'frank' });
    h.directory.users.set(frank.id, frank);
    h.directory.groups.get(ENG)?.add(frank.id);
    const first = await h.reconcile();
    expect(first.find((o) => o.action.kind === 'createUser')).toMatchObject({ status: 'failed' });

    await h.reconcile();
    expect(h.state.identities.get(frank.id)?.username).toBe('frank-2');
    expect(await h.divergence()).toEqual([]);
  });

  it('skips what depends on a failed step and still applies unrelated actions', async () => {
    const h = harness({ mapping: [{ group: ENG, org: 'new', team: 'engineering' }] });
    const gil = aUser({ mailNickname: 'gil' });
    h.directory.users.set(gil.id, gil);
    h.directory.groups.get(ENG)?.add(gil.id);
    const outcomes = await h.reconcile();
    // `new` is reserved for users and orgs (spec §5): the org fails, the user is still created.
    expect(outcomes.map((o) => `${o.action.kind}:${o.status}`)).toEqual([
      'createOrg:failed',
      'createTeam:skipped',
      'createUser:applied',
      'addTeamMember:skipped',
    ]);
  });

  it('re-asserts hidden fields changed out of band in the web UI', async () => {
    const h = harness();
    const ida = aUser({ mailNickname: 'ida' });
    h.directory.users.set(ida.id, ida);
    h.directory.groups.get(ENG)?.add(ida.id);
    await h.reconcile();
    h.git.setHidden('ida', { active: false, admin: true });
    expect((await h.planReconcile()).actions).toEqual([]);

    await h.reconcile(true);
    expect(h.git.hidden('ida')).toMatchObject({ active: true, admin: false });
    expect(h.state.draws).toHaveLength(0);
  });
});

describe('applyPlan on a stale snapshot', () => {
  it('re-reads each user once per freshness window, and never supersedes its own next actions', async () => {
    const h = new SyncHarness(
      aPolicy({
        mapping: [
          { group: ENG, org: 'acme', team: 'engineering', permission: 'write' },
          { group: ENG, org: 'acme', team: 'platform', permission: 'read' },
        ],
      }),
    );
    h.directory.groups.set(ENG, new Set());
    const jo = aUser({ mailNickname: 'jo' });
    h.directory.users.set(jo.id, jo);
    h.directory.groups.get(ENG)?.add(jo.id);
    const plan = await h.planReconcile();
    h.clock.advance(h.policy.reconcileFreshnessMs + 1);
    let userReads = 0;
    const readUser = h.directory.readUser.bind(h.directory);
    h.directory.readUser = async (id) => {
      userReads++;
      return readUser(id);
    };

    const outcomes = await h.apply(plan);

    expect(outcomes.filter((o) => o.status === 'applied').map((o) => o.action.kind)).toEqual([
      'createOrg',
      'createTeam',
      'createTeam',
      'createUser',
      'addTeamMember',
      'addTeamMember',
    ]);
    expect(userReads).toBe(1);
  });
});
