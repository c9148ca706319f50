import { describe, expect, it } from 'vitest';
import { handleMessage, RUN_APPLY_BUDGET_MS } from '../../../../src/app/worker/index.js';
import type { ChangeMessageInput } from '../../../../src/state/index.js';
import type { GitServer } from '../../../../src/sync/ports.js';
import { anObjectId, aPolicy, aUser } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

// Six mapped teams in two orgs; adele belongs in one of them, bob in another.
const GROUPS = [1, 2, 3, 4, 5, 6].map((n) => anObjectId(7000 + n));
const [G1, G2, G3] = GROUPS as [string, string, string];

function world() {
  const w = fakeWorld(
    aPolicy({
      mapping: GROUPS.map((group, n) => ({
        group,
        org: n < 3 ? 'acme' : 'globex',
        team: `team${n + 1}`,
        permission: 'write' as const,
      })),
      maxDeprovision: 1_000,
      maxDeprovisionPercent: 100,
    }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  const bob = aUser({ mailNickname: 'bob' });
  for (const u of [adele, bob]) w.directory.users.set(u.id, u);
  for (const g of GROUPS) w.directory.groups.set(g, new Set());
  w.directory.groups.get(G1)?.add(adele.id);
  w.directory.groups.get(G2)?.add(bob.id);
  // Every Gogs call the flows make, by method.
  const calls = new Map<string, number>();
  const git = w.git;
  w.app.gogs = new Proxy(git, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(name), (calls.get(String(name)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  }) as typeof w.app.gogs;
  const handle = (input: Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] }) =>
    handleMessage(w.app, { receivedAt: w.clock.now(), ...input }, { messageId: 'm', dequeueCount: 1 });
  const counted = async (work: () => Promise<unknown>) => {
    calls.clear();
    await work();
    return Object.fromEntries(calls);
  };
  return { ...w, adele, bob, handle, counted };
}

/** `count` more users in G1 (team1), named user0, user1, … */
function addUsers(w: ReturnType<typeof world>, count: number) {
  for (let n = 0; n < count; n++) {
    const user = aUser({ mailNickname: `user${n}` });
    w.directory.users.set(user.id, user);
    w.directory.groups.get(G1)?.add(user.id);
  }
}

/** Each account creation moves the clock on by `ms`. */
function slowCreates(w: ReturnType<typeof world>, ms: number) {
  const createUser = w.git.createUser.bind(w.git);
  w.git.createUser = async (...args: Parameters<GitServer['createUser']>) => {
    w.clock.advance(ms);
    return createUser(...args);
  };
}

async function synced() {
  const w = world();
  await w.handle({ kind: 'reconcile', requestedBy: 'timer' });
  w.queue.take();
  w.clock.advance(1_000);
  return w;
}

describe('what a single event reads (docs/performance.md, driver 5)', () => {
  it('a user event on an active account reads that account and no team', async () => {
    const w = await synced();
    w.adele.displayName = 'Adele V.';

    const calls = await w.counted(() =>
      w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' }),
    );

    expect((await w.git.getAccount('adele'))?.fullName).toBe('Adele V.');
    expect(calls).toEqual({ tokenOwner: 1, getAccount: 1, updateUser: 1 });
  });

  it('a restore reads and fills only the teams the user belongs in', async () => {
    const w = await synced();
    w.adele.accountEnabled = false;
    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });
    w.adele.accountEnabled = true;

    const calls = await w.counted(() =>
      w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' }),
    );

    expect(w.git.hidden('adele').active).toBe(true);
    expect(w.git.teamMembers('acme', 'team1')).toEqual(['adele']);
    expect(calls).toMatchObject({ listTeams: 1, listTeamMembers: 1, addTeamMember: 1 });
  });

  it('an account deleted behind the sync is recreated into its teams', async () => {
    const w = await synced();
    w.git.dropAccount('adele');

    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });

    expect(w.git.hasUser('adele')).toBe(true);
    expect(w.git.teamMembers('acme', 'team1')).toEqual(['adele']);
  });

  it('a user event leaves a stray membership to the group changes; an operator sync takes it away', async () => {
    const w = await synced();
    await w.git.addTeamMember({ org: 'globex', team: 'team5' }, 'adele');

    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });
    expect(w.git.teamMembers('globex', 'team5')).toEqual(['adele']);

    const calls = await w.counted(() => w.handle({ kind: 'user', objectId: w.adele.id, source: 'operator' }));
    expect(w.git.teamMembers('globex', 'team5')).toEqual([]);
    expect(calls.listTeamMembers).toBe(GROUPS.length);
  });

  it('a user leaving scope is suspended and taken out of every managed team', async () => {
    const w = await synced();
    await w.git.addTeamMember({ org: 'globex', team: 'team6' }, 'adele');
    w.adele.accountEnabled = false;

    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });

    expect(w.git.hidden('adele').active).toBe(false);
    expect(w.git.teamMembers('acme', 'team1')).toEqual([]);
    expect(w.git.teamMembers('globex', 'team6')).toEqual([]);
  });

  it('a group event reads only the teams its groups fill, and no SSH keys', async () => {
    const w = await synced();
    w.adele.accountEnabled = false;
    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });
    w.queue.take();
    w.directory.groups.get(G3)?.add(w.bob.id);

    const calls = await w.counted(() => w.handle({ kind: 'group', objectId: G3, source: 'notification' }));

    expect(w.git.teamMembers('acme', 'team3')).toEqual(['bob']);
    expect(calls).toMatchObject({ listTeams: 1, listTeamMembers: 1, addTeamMember: 1 });
    expect(calls.listKeys).toBeUndefined();
  });
});

describe('how a long run applies (docs/performance.md, driver 3)', () => {
  it("takes each user's lease once per phase, not once per action", async () => {
    const w = world();
    for (const g of GROUPS.slice(1, 4)) w.directory.groups.get(g)?.add(w.adele.id);
    const leases: string[] = [];
    const sync = w.app.stores.sync;
    w.app.stores.sync = {
      ...sync,
      withLease: (key, work) => {
        leases.push(key);
        return sync.withLease(key, work);
      },
    };

    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    // adele: a create (phase 2) and four team additions (phase 3).
    expect(w.git.teamMembers('acme', 'team2')).toEqual(['adele', 'bob']);
    expect(leases.filter((key) => key === `user:${w.adele.id}`)).toHaveLength(2);
  });

  it('writes audit records while it applies, not only at the end', async () => {
    const w = world();
    addUsers(w, 300);
    let auditedBeforeLastAdd = -1;
    const addTeamMember = w.git.addTeamMember.bind(w.git);
    w.git.addTeamMember = async (ref, username) => {
      if (username === 'user99') auditedBeforeLastAdd = w.audit.length;
      return addTeamMember(ref, username);
    };

    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    expect(w.git.teamMembers('acme', 'team1')).toHaveLength(301);
    expect(auditedBeforeLastAdd).toBeGreaterThanOrEqual(200);
    expect(w.audit.filter((r) => r.type === 'action')).toHaveLength(
      2 /* orgs */ + 6 /* teams */ + 2 * 302 /* 300 users, adele, bob: create, add */,
    );
  });

  it('defers what it had no time for, audits none of it, and queues its continuation', async () => {
    const w = world();
    // Each account creation takes a tenth of the budget.
    slowCreates(w, RUN_APPLY_BUDGET_MS / 10);
    addUsers(w, 30);

    const result = await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    const counts = (result as { counts: Record<string, number> }).counts;
    expect(counts.deferred).toBeGreaterThan(0);
    expect(counts.applied).toBeLessThan(32);
    const audited = w.audit.filter((r) => r.type === 'action');
    expect(audited).toHaveLength(counts.applied ?? 0);
    expect(audited.every((r) => r.status === 'applied')).toBe(true);
    const [next] = w.queue.take();
    expect(next?.message).toMatchObject({
      kind: 'reconcile',
      requestedBy: 'timer',
      reason: expect.stringMatching(/^continues run .* actions deferred/),
    });

    // The continuation plans only what is left, and so on until done.
    for (let runs = 0; runs < 10; runs++) {
      w.clock.advance(1_000);
      await w.handle({ kind: 'reconcile', requestedBy: 'timer' });
      if (w.queue.take().length === 0) break;
    }
    expect(w.git.teamMembers('acme', 'team1')).toHaveLength(31);
  });

  it('stops once its snapshot is older than RECONCILE_FRESHNESS rather than re-reading user by user', async () => {
    const w = world();
    slowCreates(w, w.app.policy.reconcileFreshnessMs / 4);
    let userReads = 0;
    const readUser = w.directory.readUser.bind(w.directory);
    w.directory.readUser = (...args) => {
      userReads++;
      return readUser(...args);
    };
    addUsers(w, 30);

    const result = await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    const counts = (result as { counts: Record<string, number> }).counts;
    expect(counts.deferred).toBeGreaterThan(0);
    // Orgs and teams, then creates two at a time until the snapshot is two minutes old.
    expect(counts.applied).toBeLessThan(8 + 10);
    expect(userReads).toBe(0);
  });

  it('applies for a while even when its reads alone outlasted RECONCILE_FRESHNESS', async () => {
    const w = world();
    const readGroupMembers = w.directory.readGroupMembers.bind(w.directory);
    w.directory.readGroupMembers = async (...args) => {
      // Six mapped groups: four minutes of reads, twice the freshness, within the run's budget.
      w.clock.advance(40_000);
      return readGroupMembers(...args);
    };

    const result = await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    expect((result as { counts: Record<string, number> }).counts.deferred).toBeUndefined();
    expect(w.git.teamMembers('acme', 'team1')).toEqual(['adele']);
  });
});
