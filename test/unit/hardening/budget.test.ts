import { describe, expect, it } from 'vitest';
import { decideHeld, type HeldDeps } from '../../../src/app/http/heldDecisions.js';
import { type Action, isDeprovision, type Outcome } from '../../../src/domain/actions.js';
import type { HeldRecord } from '../../../src/state/index.js';
import { applyPlan } from '../../../src/sync/applyPlan.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { type FakeWorld, fakeWorld } from '../app/worker/fakeWorkerApp.js';
import { QueuePump } from './support.js';

const ENGINEERING = anObjectId(7001);
const PLATFORM = anObjectId(7002);
const TYPO = anObjectId(7999);
const BUDGET = 25;

function world(size: number) {
  const w = fakeWorld(
    aPolicy({
      maxDeprovision: BUDGET,
      mapping: [
        { group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' },
        { group: PLATFORM, org: 'acme', team: 'platform', permission: 'write' },
      ],
    }),
  );
  const users = Array.from({ length: size }, (_, n) => aUser({ mailNickname: `dev${n}` }));
  for (const u of users) w.directory.users.set(u.id, u);
  w.directory.groups.set(ENGINEERING, new Set(users.map((u) => u.id)));
  w.directory.groups.set(PLATFORM, new Set(users.slice(0, 2).map((u) => u.id)));
  return { ...w, users, pump: new QueuePump(w) };
}

async function converge(w: ReturnType<typeof world>) {
  w.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
  await w.pump.runUntilIdle();
  w.audit.splice(0);
  w.clock.advance(1_000);
}

/** Deprovisions Gogs received, one per action id, from the audit trail. */
function appliedDeprovisions(w: FakeWorld): string[] {
  const kinds = new Set(['suspendUser', 'deleteUser', 'removeTeamMember', 'setSiteAdmin']);
  return w.audit
    .filter((r) => r.type === 'action' && kinds.has(r.kind) && r.status === 'applied')
    .map((r) => r.kind);
}

/** The held table over the in-memory state, with the same `applyPlan` the admin route uses. */
function heldDeps(w: FakeWorld, at: number): HeldDeps & { rows: Map<string, HeldRecord> } {
  const rows = new Map<string, HeldRecord>();
  for (const h of w.state.held) rows.set(h.id, { ...h, status: 'held' });
  const decide = (status: 'approved' | 'rejected') => async (id: string, by: string, when: number) => {
    const next = { ...(rows.get(id) as HeldRecord), status, decidedBy: by, decidedAt: when };
    rows.set(id, next);
    return next;
  };
  const state = { ...w.app.stores.sync, drawBudget: async () => true };
  return {
    rows,
    get: async (id) => rows.get(id),
    list: async () => [...rows.values()],
    approve: decide('approved'),
    reject: decide('rejected'),
    hold: async (h) => void rows.set(h.id, { ...h, status: 'held' }),
    lastEventAt: (key) => w.state.lastEventAt(key),
    apply: async (action: Action): Promise<Outcome> => {
      const plan = { snapshotAt: action.snapshotAt, actions: [action], findings: [], followUps: [] };
      const deps = { ...w.app, git: w.app.gogs, state, requeue: async () => undefined };
      const [outcome] = await applyPlan(plan, deps, {
        concurrency: 1,
        cause: 'operator:test',
        managedUsers: 0,
      });
      return outcome as Outcome;
    },
    requeue: async () => undefined,
    audit: async (records) => void w.audit.push(...records),
    blocked: async () => undefined,
    now: at,
    by: 'entra:operator',
  };
}

describe('the deprovision budget across events and reconciles (DESIGN §3.3)', () => {
  it('bulk-disabling 40 users applies the budget, holds the rest, and an approval releases one', async () => {
    const w = world(40);
    await converge(w);

    for (const u of w.users) {
      u.accountEnabled = false;
      w.pump.send({ kind: 'user', objectId: u.id });
    }
    await w.pump.drainVisible();

    const suspended = w.users.filter((u) => !w.git.hidden(u.mailNickname ?? '').active);
    expect(appliedDeprovisions(w).length).toBeLessThanOrEqual(BUDGET);
    expect(suspended.length).toBeGreaterThan(0);
    expect(suspended.length).toBeLessThan(40);
    const heldUsers = new Set(
      w.state.held
        .filter((h) => h.because === 'budget')
        .map((h) => ('objectId' in h.action ? h.action.objectId : '')),
    );
    for (const u of w.users) {
      if (suspended.includes(u)) continue;
      expect(heldUsers.has(u.id), `${u.id} is held`).toBe(true);
    }

    // Approve one held suspend, reject another: the first is applied, the second stays as it is.
    const deps = heldDeps(w, w.clock.now());
    const [first, second] = w.state.held.filter((h) => h.action.kind === 'suspendUser');
    if (!first || !second || !('objectId' in first.action) || !('objectId' in second.action))
      throw new Error('expected held suspends');
    expect(await decideHeld({ id: first.id, decision: 'approve' }, deps)).toMatchObject({ status: 200 });
    expect(await decideHeld({ id: second.id, decision: 'reject' }, deps)).toMatchObject({ status: 200 });
    expect(w.git.hidden(first.action.username).active).toBe(false);
    expect(w.git.hidden(second.action.username).active).toBe(true);
    expect(deps.rows.get(second.id)?.status).toBe('rejected');
  });

  it('deleting a mapped group of 60 members applies at most the budget and holds the rest', async () => {
    const w = world(60);
    await converge(w);

    w.directory.groups.delete(ENGINEERING);
    w.pump.send({ kind: 'group', objectId: ENGINEERING, changeType: 'deleted' });
    await w.pump.runUntilIdle();

    expect(appliedDeprovisions(w).length).toBeLessThanOrEqual(BUDGET);
    const stillIn = w.git.teamMembers('acme', 'engineering').length;
    expect(stillIn).toBeGreaterThanOrEqual(60 - BUDGET);
    expect(w.state.held.filter((h) => isDeprovision(h.action)).length).toBeGreaterThanOrEqual(stillIn);
  });

  it('a mapping typo (a group that answers 404) is suspect: every removal of its team is held', async () => {
    const w = world(30);
    await converge(w);

    // The operator mistypes the engineering group's id.
    const team = w.app.policy.teams.find((t) => t.team === 'engineering');
    if (!team) throw new Error('no team');
    team.groups = [TYPO];
    w.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    await w.pump.runUntilIdle();

    expect(appliedDeprovisions(w)).toEqual([]);
    expect(w.git.teamMembers('acme', 'engineering')).toHaveLength(30);
    expect(w.users.every((u) => w.git.hidden(u.mailNickname ?? '').active)).toBe(true);
    expect(w.state.held.length).toBeGreaterThanOrEqual(30);
    expect(w.state.held.every((h) => h.because === 'suspectRead')).toBe(true);
    const run = [...w.runs.values()].at(-1);
    expect(JSON.stringify(run?.plan)).toContain('suspectGroup');
  });

  it('a failed page of a mapped group holds its removals in a reconcile', async () => {
    const w = world(10);
    await converge(w);
    const leaver = w.users[0];
    if (!leaver) throw new Error('no user');
    w.directory.groups.get(ENGINEERING)?.delete(leaver.id);
    w.directory.failingGroups.add(ENGINEERING);

    w.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    await w.pump.drainVisible((m) => m.kind === 'reconcile' && m.attempt === 0);

    expect(w.git.teamMembers('acme', 'engineering')).toContain(leaver.mailNickname ?? '');
    expect(w.git.hidden(leaver.mailNickname ?? '').active).toBe(true);
  });
});
