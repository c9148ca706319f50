import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/domain/actions.js';
import { teamKey } from '../../../src/domain/types.js';
import { desiredAccess } from '../../../src/sync/compareUser.js';
import type { Plan } from '../../../src/sync/model.js';
import { scopeGroups } from '../../../src/sync/policy.js';
import { mutate, randomWorld, type World } from '../../fakes/randomDirectory.js';
import type { SyncHarness } from '../../fakes/syncHarness.js';

const SEEDS = 500;

/** What Gogs holds of the accounts the sync must never touch, hidden fields included. */
async function untouchableState(world: World): Promise<string> {
  const { git } = world.harness;
  const accounts = await git.listUsers();
  const rows = world.untouchable.map((name) => ({
    account: accounts.find((a) => a.username.toLowerCase() === name),
    hidden: git.hasUser(name) ? git.hidden(name) : undefined,
    // Creating an org makes the token's owner its first Owners member (spec §3.1): not a touch.
    teams: git
      .allTeams()
      .filter((t) => git.teamMembers(t.org, t.name).includes(name))
      .filter((t) => !(name === git.owner && t.permission === 'owner'))
      .map((t) => t.id),
  }));
  return JSON.stringify(rows);
}

async function handle(harness: SyncHarness, change: ReturnType<typeof mutate>): Promise<void> {
  harness.clock.advance(1_000);
  if (change.kind === 'user') await harness.handleUser(change.id);
  else await harness.handleGroup(change.id);
}

/** Does an action agree with what the directory says right now? */
async function agreesWithDirectory(harness: SyncHarness, action: Action): Promise<boolean> {
  if (!('objectId' in action)) return true;
  const read = await harness.directory.readUser(action.objectId);
  const access = desiredAccess(
    { ...read, groups: new Set(read.groups) },
    harness.policy,
    scopeGroups(harness.policy),
  );
  switch (action.kind) {
    case 'createUser':
    case 'adoptUser':
    case 'restoreUser':
      return access.active;
    case 'updateUser':
      return action.active === access.active;
    case 'suspendUser':
    case 'deleteUser':
      return !access.active;
    case 'setSiteAdmin':
      return action.admin === access.admin;
    case 'addTeamMember':
      return access.teams.has(teamKey(action.org, action.team));
    case 'removeTeamMember':
      return !access.teams.has(teamKey(action.org, action.team));
  }
}

function slices(plan: Plan, world: World): Plan[] {
  const out: Plan[] = [];
  let start = 0;
  while (start < plan.actions.length) {
    const end = start + world.dice.int(1, 4);
    out.push({ ...plan, actions: plan.actions.slice(start, end) });
    start = end;
  }
  return out;
}

describe('sync core properties over seeded directories', () => {
  it(`converges in one pass, then plans nothing, and never touches unmanaged accounts (${SEEDS} seeds)`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      const { harness } = world;
      const before = await untouchableState(world);

      await harness.reconcile();
      const again = await harness.planReconcile();
      expect(again.actions, `seed ${seed}: second plan`).toEqual([]);
      expect(await harness.divergence(), `seed ${seed}`).toEqual([]);

      for (let round = 0; round < 6; round++) await handle(harness, mutate(world));
      expect(await harness.divergence(), `seed ${seed}: after events`).toEqual([]);
      await harness.reconcile();
      expect((await harness.planReconcile()).actions, `seed ${seed}: after a reconcile`).toEqual([]);
      expect(await untouchableState(world), `seed ${seed}: untouchable accounts`).toBe(before);
    }
  });

  it(`lets no stale reconcile action move an object away from the directory (${SEEDS} seeds)`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      // Half the seeds rely on fencing alone, half also re-read before every grant.
      const world = randomWorld(seed, { freshnessMs: seed % 2 ? 3_600_000 : 0 });
      const { harness } = world;
      await harness.reconcile();
      for (let round = 0; round < 3; round++) mutate(world);

      const plan = await harness.planReconcile();
      for (const slice of slices(plan, world)) {
        for (let n = world.dice.int(0, 2); n > 0; n--) await handle(harness, mutate(world));
        harness.clock.advance(500);
        for (const outcome of await harness.apply(slice)) {
          if (outcome.status !== 'applied') continue;
          const ok = await agreesWithDirectory(harness, outcome.action);
          expect(ok, `seed ${seed}: ${outcome.action.kind} ${outcome.action.reason}`).toBe(true);
        }
      }
      await harness.reconcile();
      expect(await harness.divergence(), `seed ${seed}: converged`).toEqual([]);
    }
  });

  it(`corrects out-of-band flips of the fields Gogs hides in the re-assertion pass (${SEEDS} seeds)`, async () => {
    for (let seed = 1; seed <= SEEDS; seed++) {
      const world = randomWorld(seed);
      const { harness, dice } = world;
      await harness.reconcile();
      const managed = [...harness.state.identities.values()].filter((i) => harness.git.hasUser(i.username));
      for (const identity of managed) {
        if (dice.chance(0.5))
          harness.git.setHidden(identity.username, { active: dice.chance(0.5), admin: dice.chance(0.5) });
      }
      await harness.reconcile(true);
      expect(await harness.divergence(), `seed ${seed}`).toEqual([]);
    }
  });

  it('stops a mass removal at the budget and holds the rest (200 seeds)', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const budget = (seed % 5) + 1;
      const world = randomWorld(seed, { budget });
      const { harness } = world;
      await harness.reconcile();
      const active = [...harness.state.identities.values()].filter((i) => i.status === 'active');
      for (const identity of active) {
        const user = harness.directory.users.get(identity.objectId);
        if (user) user.accountEnabled = false;
      }
      const outcomes = await harness.reconcile();
      const deprovisions = outcomes.filter((o) => o.action.kind === 'suspendUser');
      const applied = deprovisions.filter((o) => o.status === 'applied');
      expect(applied.length, `seed ${seed}`).toBe(Math.min(budget, active.length));
      expect(deprovisions.filter((o) => o.status === 'held').length, `seed ${seed}`).toBe(
        Math.max(0, active.length - budget),
      );
      expect(harness.state.held.map((h) => h.because).every((b) => b === 'budget')).toBe(true);
    }
  });
});
