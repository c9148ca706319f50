import type { Action, Outcome } from '../domain/actions.js';
import { ACTION_PHASE, ACTION_RANK, actionId, isDeprovision } from '../domain/actions.js';
import type { ObjectKey } from '../domain/types.js';
import { userKey } from '../domain/types.js';
import { executeAction } from './executeAction.js';
import { budgetLimit } from './guard.js';
import type { Plan } from './model.js';
import type { SyncPolicy } from './policy.js';
import type { Clock, DirectoryReader, GitServer, SyncState } from './ports.js';
import { stillGranted } from './recheck.js';

export interface ApplyDeps {
  git: GitServer;
  state: SyncState;
  directory: DirectoryReader;
  clock: Clock;
  policy: SyncPolicy;
  /** Asks for a fresh plan of an object whose action was superseded. */
  requeue(key: ObjectKey): Promise<void>;
}

export interface ApplyOptions {
  /** Gogs writes in flight at once (GOGS_CONCURRENCY). */
  concurrency: number;
  /** The run or message id the audit links each outcome to. */
  cause: string;
  /** Managed users, for the size of the deprovision budget. */
  managedUsers: number;
  /** The caller already holds the lease of every object in the plan (single-object plans). */
  leased?: boolean;
}

const PREREQUISITES: Partial<Record<Action['kind'], Action['kind'][]>> = {
  createTeam: ['createOrg'],
  addTeamMember: ['createTeam', 'createUser', 'adoptUser', 'restoreUser'],
  setSiteAdmin: ['createUser', 'adoptUser', 'restoreUser'],
};

/**
 * The one write path (DESIGN §2): orgs and teams before members, users before memberships, one
 * user's actions in order under that user's lease, users in parallel up to `concurrency`. Every
 * action gets exactly one outcome; a failure never stops unrelated actions.
 */
export async function applyPlan(plan: Plan, deps: ApplyDeps, options: ApplyOptions): Promise<Outcome[]> {
  const outcomes = new Map<string, Outcome>();
  const phases = [...new Set(plan.actions.map((a) => ACTION_PHASE[a.kind]))].sort((a, b) => a - b);
  for (const phase of phases) {
    const lanes = new Map<string, Action[]>();
    for (const action of plan.actions.filter((a) => ACTION_PHASE[a.kind] === phase)) {
      const lane = 'objectId' in action ? action.objectId : actionId(action);
      lanes.set(lane, [...(lanes.get(lane) ?? []), action]);
    }
    await runLimited([...lanes.values()], options.concurrency, async (lane) => {
      for (const action of lane.sort((a, b) => ACTION_RANK[a.kind] - ACTION_RANK[b.kind])) {
        outcomes.set(actionId(action), await settle(action, plan, outcomes, deps, options));
      }
    });
  }
  return plan.actions.map((action) => outcomes.get(actionId(action)) as Outcome);
}

async function settle(
  action: Action,
  plan: Plan,
  outcomes: ReadonlyMap<string, Outcome>,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<Outcome> {
  const blocked = blockedBy(action, plan, outcomes);
  if (blocked) return { action, status: 'skipped', detail: `${blocked.kind} was ${blocked.status}` };
  if ('hold' in action && action.hold) {
    await hold(action, 'suspectRead', deps, options);
    return { action, status: 'held', detail: 'a removal resting on a suspect group read' };
  }
  const run = () => fencedApply(action, deps, options);
  if (options.leased || !('objectId' in action)) return run();
  return deps.state.withLease(userKey(action.objectId), run);
}

/** The first prerequisite of the same plan that did not apply, if any. */
function blockedBy(action: Action, plan: Plan, outcomes: ReadonlyMap<string, Outcome>) {
  const kinds = PREREQUISITES[action.kind] ?? [];
  for (const other of plan.actions) {
    if (!kinds.includes(other.kind) || !sameSubject(action, other)) continue;
    const outcome = outcomes.get(actionId(other));
    if (outcome?.status !== 'applied') return { kind: other.kind, status: outcome?.status ?? 'not run' };
  }
  return undefined;
}

function sameSubject(action: Action, prerequisite: Action): boolean {
  if (prerequisite.kind === 'createOrg' && 'org' in action) {
    return prerequisite.org.toLowerCase() === action.org.toLowerCase();
  }
  if (prerequisite.kind === 'createTeam' && 'team' in action) {
    return (
      prerequisite.org.toLowerCase() === action.org.toLowerCase() &&
      prerequisite.team.toLowerCase() === action.team.toLowerCase()
    );
  }
  return 'objectId' in prerequisite && 'objectId' in action && prerequisite.objectId === action.objectId;
}

async function fencedApply(action: Action, deps: ApplyDeps, options: ApplyOptions): Promise<Outcome> {
  const { state, clock } = deps;
  try {
    for (const key of action.fence) {
      const last = await state.lastEventAt(key);
      if (last !== undefined && last > action.snapshotAt) {
        await deps.requeue(action.fence[0] ?? key);
        return { action, status: 'superseded', detail: `${key} changed after the snapshot` };
      }
    }
    let decidedAt = action.snapshotAt;
    if (clock.now() - action.snapshotAt > deps.policy.reconcileFreshnessMs && 'objectId' in action) {
      const readAt = clock.now();
      const verdict = await stillGranted(action, deps);
      if (verdict !== undefined && !verdict) {
        await deps.requeue(userKey(action.objectId));
        return { action, status: 'superseded', detail: 'a fresh read of the user no longer supports it' };
      }
      if (verdict) decidedAt = readAt;
    }
    if (isDeprovision(action)) {
      const limit = budgetLimit(deps.policy, options.managedUsers);
      if (!(await state.drawBudget(clock.now(), limit, deps.policy.deprovisionWindowMs))) {
        await hold(action, 'budget', deps, options);
        return { action, status: 'held', detail: `the deprovision budget of ${limit} is spent` };
      }
    }
    const outcome = await executeAction(action, deps);
    if ('objectId' in action) await state.markEvent(userKey(action.objectId), decidedAt);
    return outcome;
  } catch (error) {
    const retryable = error instanceof Error && 'retryable' in error && error.retryable === true;
    const message = error instanceof Error ? error.message : String(error);
    return { action, status: 'failed', error: { message, retryable } };
  }
}

async function hold(
  action: Action,
  because: 'budget' | 'suspectRead',
  deps: ApplyDeps,
  options: ApplyOptions,
) {
  await deps.state.hold({
    id: actionId(action),
    action,
    heldAt: deps.clock.now(),
    because,
    cause: options.cause,
  });
}

async function runLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
