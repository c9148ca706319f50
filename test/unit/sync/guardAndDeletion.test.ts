import { describe, expect, it } from 'vitest';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { SyncHarness } from '../../fakes/syncHarness.js';

const ENG = anObjectId(0xe0);
const OPS = anObjectId(0xe2);

function harness(overrides: Parameters<typeof aPolicy>[0] = {}) {
  const h = new SyncHarness(
    aPolicy({
      mapping: [
        { group: ENG, org: 'acme', team: 'engineering', permission: 'write' },
        { group: OPS, org: 'acme', team: 'ops', permission: 'read' },
      ],
      ...overrides,
    }),
  );
  h.directory.groups.set(ENG, new Set());
  h.directory.groups.set(OPS, new Set());
  return h;
}

function populate(h: SyncHarness, group: string, count: number, prefix: string) {
  const users = Array.from({ length: count }, (_, i) => aUser({ mailNickname: `${prefix}${i}` }));
  for (const user of users) {
    h.directory.users.set(user.id, user);
    h.directory.groups.get(group)?.add(user.id);
  }
  return users;
}

describe('the deprovision guard', () => {
  it('holds every removal of a team whose mapped group answers 404, as a configuration error', async () => {
    const h = harness();
    populate(h, ENG, 3, 'eng');
    await h.reconcile();
    h.directory.groups.delete(ENG);

    const plan = await h.planReconcile();
    expect(plan.findings).toContainEqual(expect.objectContaining({ kind: 'suspectGroup', groupId: ENG }));
    const outcomes = await h.apply(plan);
    expect(outcomes.map((o) => `${o.action.kind}:${o.status}`)).toEqual([
      'suspendUser:held',
      'suspendUser:held',
      'suspendUser:held',
    ]);
    expect(h.git.teamMembers('acme', 'engineering')).toHaveLength(3);
    expect(h.state.held.map((held) => held.because)).toEqual(['suspectRead', 'suspectRead', 'suspectRead']);
    expect(h.state.draws).toEqual([]);
  });

  it('treats a read that lost more than half its members (and at least MAX_DEPROVISION) as suspect', async () => {
    const h = harness({ maxDeprovision: 5 });
    const users = populate(h, ENG, 12, 'eng');
    await h.reconcile();
    for (const user of users.slice(0, 7)) h.directory.groups.get(ENG)?.delete(user.id);

    const outcomes = await h.reconcile();
    expect(outcomes.filter((o) => o.status === 'applied')).toEqual([]);
    expect(outcomes.filter((o) => o.status === 'held')).toHaveLength(7);
  });

  it('holds all 60 removals when a mapped group is emptied at once: the read is suspect', async () => {
    const h = harness();
    const users = populate(h, ENG, 60, 'eng');
    for (const user of users) h.directory.groups.get(OPS)?.add(user.id);
    await h.reconcile();
    h.directory.groups.set(ENG, new Set());

    const outcomes = await h.handleGroup(ENG);
    expect(outcomes).toHaveLength(60);
    expect(outcomes.every((o) => o.action.kind === 'removeTeamMember' && o.status === 'held')).toBe(true);
    expect(h.git.teamMembers('acme', 'engineering')).toHaveLength(60);
  });

  it('applies the budget to 40 disable notifications and holds the rest', async () => {
    const h = harness({ maxDeprovision: 25, maxDeprovisionPercent: 10 });
    const users = populate(h, ENG, 40, 'eng');
    await h.reconcile();
    const outcomes = [];
    for (const user of users) {
      user.accountEnabled = false;
      outcomes.push(...(await h.handleUser(user.id)));
    }
    expect(outcomes.filter((o) => o.status === 'applied')).toHaveLength(25);
    expect(outcomes.filter((o) => o.status === 'held')).toHaveLength(15);
    expect(
      h.state.held.every((held) => held.because === 'budget' && held.action.kind === 'suspendUser'),
    ).toBe(true);
  });

  it('shares one budget between events and reconciles inside the window', async () => {
    const h = harness({ maxDeprovision: 4, maxDeprovisionPercent: 0 });
    const users = populate(h, ENG, 6, 'eng');
    await h.reconcile();
    for (const user of users.slice(0, 3)) {
      user.accountEnabled = false;
      await h.handleUser(user.id);
    }
    for (const user of users.slice(3)) user.accountEnabled = false;

    const outcomes = await h.reconcile();
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'held', 'held']);
    h.clock.advance(h.policy.deprovisionWindowMs + 1);
    expect((await h.reconcile()).map((o) => o.status)).toEqual(['applied', 'applied']);
  });
});

describe('deletion semantics', () => {
  it('only suspends on a soft delete, and restores on restore', async () => {
    const h = harness({ deprovisionMode: 'delete' });
    const [ann] = populate(h, ENG, 1, 'ann');
    if (!ann) throw new Error('no user');
    await h.reconcile();
    h.directory.softDelete(ann.id);
    expect((await h.handleUser(ann.id)).map((o) => o.action.kind)).toEqual(['suspendUser']);
    expect(h.git.hasUser('ann0')).toBe(true);

    h.directory.restore(ann.id);
    expect((await h.handleUser(ann.id)).map((o) => o.action.kind)).toEqual(['restoreUser', 'addTeamMember']);
    expect(await h.divergence()).toEqual([]);
  });

  it('reports a delete Gogs refuses for an org row, keeps the account suspended and does not retry', async () => {
    const h = harness({ deprovisionMode: 'delete' });
    const [bo] = populate(h, ENG, 1, 'bo');
    if (!bo) throw new Error('no user');
    await h.reconcile();
    h.directory.hardDelete(bo.id);

    const [outcome] = await h.handleUser(bo.id);
    expect(outcome).toMatchObject({
      status: 'failed',
      error: { retryable: false },
      residual: { orgMemberships: [{ org: 'acme', certainty: 'known' }], accessTokens: 'possible' },
    });
    expect(h.git.hidden('bo0').active).toBe(false);
    expect(h.state.identities.get(bo.id)?.status).toBe('suspended');
  });

  it('deletes on a confirmed hard delete and never reissues the username', async () => {
    const h = new SyncHarness(aPolicy({ scope: 'allUsers', deprovisionMode: 'delete' }));
    const cy = aUser({ mailNickname: 'cy' });
    h.directory.users.set(cy.id, cy);
    await h.reconcile();
    h.directory.hardDelete(cy.id);
    expect((await h.handleUser(cy.id)).map((o) => o.status)).toEqual(['applied']);
    expect(h.git.hasUser('cy')).toBe(false);
    expect(h.state.identities.get(cy.id)?.status).toBe('deleted');

    const newcomer = aUser({ mailNickname: 'cy' });
    h.directory.users.set(newcomer.id, newcomer);
    await h.reconcile();
    expect(h.state.identities.get(newcomer.id)?.username).toBe('cy-2');
  });

  it('retries its own reserved name after a crash between the reservation and the create', async () => {
    const h = harness();
    const [di] = populate(h, ENG, 1, 'di');
    if (!di) throw new Error('no user');
    const failing = h.git.createUser.bind(h.git);
    h.git.createUser = async () => {
      throw Object.assign(new Error('socket hang up'), { retryable: true });
    };
    const first = await h.reconcile();
    expect(first.find((o) => o.action.kind === 'createUser')).toMatchObject({
      status: 'failed',
      error: { retryable: true },
    });
    h.git.createUser = failing;

    await h.reconcile();
    expect(h.state.identities.get(di.id)).toMatchObject({ username: 'di0', status: 'active' });
    expect(h.state.identities.get(di.id)?.pending).toBeUndefined();
    expect(await h.divergence()).toEqual([]);
  });
});
