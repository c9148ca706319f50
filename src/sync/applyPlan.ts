import type { Action, Outcome } from '../domain/actions.js';
import { ACTION_PHASE, ACTION_RANK, actionId, isDeprovision } from '../domain/actions.js';
import type { ObjectKey } from '../domain/types.js';
import { userKey } from '../domain/types.js';
import { MarksNotWrittenError } from './errors.js';
import { executeAction } from './executeAction.js';
import { budgetLimit } from './guard.js';
import { runLimited } from './limited.js';
import type { Plan } from './model.js';
import type { SyncPolicy } from './policy.js';
import type { Clock, DirectoryReader, GitServer, SyncState, UserRead } from './ports.js';
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
  /**
   * Clock time after which no further lane starts: the rest is `deferred` (a long run stays
   * within the function timeout and continues in a new message).
   */
  deadline?: number;
  /** Called with each outcome as it settles (a long run audits as it goes). */
  onSettled?: (outcome: Outcome) => void;
}

const DEFERRED = "the run's time budget was spent; its continuation applies it";

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
  const run: PlanRun = {
    prerequisites: indexPrerequisites(plan),
    reads: new FreshReads(deps),
    unmarked: [],
  };
  const phases = [...new Set(plan.actions.map((a) => ACTION_PHASE[a.kind]))].sort((a, b) => a - b);
  for (const phase of phases) {
    const lanes = new Map<string, Action[]>();
    for (const action of plan.actions.filter((a) => ACTION_PHASE[a.kind] === phase)) {
      const lane = 'objectId' in action ? action.objectId : actionId(action);
      lanes.set(lane, [...(lanes.get(lane) ?? []), action]);
    }
    // Lanes start in key order (user lanes by object id): a run stopped at its deadline has
    // started exactly the lanes before the first deferred one, so a continuation can resume there.
    const ordered = [...lanes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, lane]) => lane);
    await runLimited(ordered, options.concurrency, (lane) =>
      runLane(
        lane.sort((a, b) => ACTION_RANK[a.kind] - ACTION_RANK[b.kind]),
        run,
        outcomes,
        deps,
        options,
      ),
    );
  }
  if (run.unmarked.length > 0) throw new MarksNotWrittenError(run.unmarked, { cause: run.markError });
  return plan.actions.map((action) => outcomes.get(actionId(action)) as Outcome);
}

/** What one applyPlan call shares across its actions. */
interface PlanRun {
  prerequisites: ReadonlyMap<string, Action[]>;
  reads: FreshReads;
  /** Users whose lane applied but whose mark failed; thrown once every action has settled. */
  unmarked: string[];
  markError?: unknown;
}

/**
 * One lane: a user's actions of one phase, or a single org or team action. A user's lane runs
 * under that user's lease, taken once for the lane (docs/performance.md, driver 3). Only a holder
 * of the lease marks a user, so the user's own fence entry is read once per lane; group entries
 * are read per action, since group changes mark them without it.
 */
async function runLane(
  lane: readonly Action[],
  run: PlanRun,
  outcomes: Map<string, Outcome>,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<void> {
  const first = lane[0];
  const subject = first && 'objectId' in first ? first.objectId : undefined;
  const settled = (outcome: Outcome) => {
    outcomes.set(actionId(outcome.action), outcome);
    options.onSettled?.(outcome);
  };
  if (options.deadline !== undefined && deps.clock.now() >= options.deadline) {
    for (const action of lane) settled({ action, status: 'deferred', detail: DEFERRED });
    return;
  }
  const work = async (lost?: AbortSignal) => {
    const fence = new LaneFence(deps.state, subject === undefined ? undefined : userKey(subject), lost);
    for (const action of lane) settled(await settle(action, run, fence, outcomes, deps, options));
    try {
      await fence.markApplied();
    } catch (error) {
      run.unmarked.push(fence.key ?? '');
      run.markError ??= error;
    }
  };
  try {
    if (options.leased || subject === undefined) await work();
    else await deps.state.withLease(userKey(subject), work);
  } catch (error) {
    // The lease could not be had (or storage failed around it): what did not settle fails, to be
    // retried, and every other lane goes on.
    const failure = failureOf(error, true);
    for (const action of lane) {
      if (!outcomes.has(actionId(action))) settled({ action, status: 'failed', error: failure });
    }
  }
}

/**
 * The fence entries one lane reads, and its mark. The mark is the plan's snapshot, not a later
 * time: a later mark would supersede this plan's own next actions for the same user (found by a
 * test: team additions after a re-read create were all superseded).
 */
class LaneFence {
  private own: Promise<number | undefined> | undefined;
  private snapshotAt: number | undefined;

  constructor(
    private readonly state: SyncState,
    readonly key: ObjectKey | undefined,
    /** Aborts if the lease was lost mid-lane: from then on the user's entry is read each time. */
    private readonly lost?: AbortSignal,
  ) {}

  lastEventAt(key: ObjectKey): Promise<number | undefined> {
    if (key !== this.key || this.lost?.aborted) return this.state.lastEventAt(key);
    this.own ??= this.state.lastEventAt(key);
    return this.own;
  }

  applied(action: Action): void {
    if ('objectId' in action) this.snapshotAt = Math.max(this.snapshotAt ?? 0, action.snapshotAt);
  }

  async markApplied(): Promise<void> {
    if (this.key !== undefined && this.snapshotAt !== undefined) {
      await this.state.markEvent(this.key, this.snapshotAt);
    }
  }
}

async function settle(
  action: Action,
  run: PlanRun,
  fence: LaneFence,
  outcomes: ReadonlyMap<string, Outcome>,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<Outcome> {
  const blocked = blockedBy(action, run.prerequisites, outcomes);
  if (blocked?.status === 'deferred') return { action, status: 'deferred', detail: DEFERRED };
  if (blocked) return { action, status: 'skipped', detail: `${blocked.kind} was ${blocked.status}` };
  if ('hold' in action && action.hold) {
    await hold(action, 'suspectRead', deps, options);
    return { action, status: 'held', detail: 'a removal resting on a suspect group read' };
  }
  const outcome = await fencedApply(action, run.reads, fence, deps, options);
  if (outcome.status === 'applied') fence.applied(action);
  return outcome;
}

/** The subjects an action may depend on: its org, its team, its user. */
function subjectsOf(action: Action): string[] {
  const subjects: string[] = [];
  if ('org' in action) subjects.push(`org:${action.org.toLowerCase()}`);
  if ('team' in action) subjects.push(`team:${action.org.toLowerCase()}/${action.team.toLowerCase()}`);
  if ('objectId' in action) subjects.push(`user:${action.objectId}`);
  return subjects;
}

/** The subject each prerequisite kind creates: a createOrg its org, a createTeam its team, … */
function createdSubject(action: Action): string | undefined {
  if (action.kind === 'createOrg') return `org:${action.org.toLowerCase()}`;
  if (action.kind === 'createTeam') return `team:${action.org.toLowerCase()}/${action.team.toLowerCase()}`;
  if (action.kind === 'createUser' || action.kind === 'adoptUser' || action.kind === 'restoreUser') {
    return `user:${action.objectId}`;
  }
  return undefined;
}

/** Indexed once per plan: scanning the whole plan per action is quadratic (docs/performance.md). */
function indexPrerequisites(plan: Plan): Map<string, Action[]> {
  const index = new Map<string, Action[]>();
  for (const action of plan.actions) {
    const subject = createdSubject(action);
    if (subject) index.set(subject, [...(index.get(subject) ?? []), action]);
  }
  return index;
}

/** The first prerequisite of the same plan that did not apply, if any. */
function blockedBy(
  action: Action,
  index: ReadonlyMap<string, Action[]>,
  outcomes: ReadonlyMap<string, Outcome>,
) {
  const kinds = PREREQUISITES[action.kind] ?? [];
  for (const subject of subjectsOf(action)) {
    for (const other of index.get(subject) ?? []) {
      if (!kinds.includes(other.kind)) continue;
      const outcome = outcomes.get(actionId(other));
      if (outcome?.status !== 'applied') return { kind: other.kind, status: outcome?.status ?? 'not run' };
    }
  }
  return undefined;
}

/**
 * Fresh re-reads of users for stale grants, each reused while it is itself within
 * RECONCILE_FRESHNESS: a user's create and team additions then cost one read, not one each.
 */
class FreshReads {
  private readonly reads = new Map<string, { at: number; read: Promise<UserRead> }>();

  constructor(private readonly deps: Pick<ApplyDeps, 'directory' | 'clock' | 'policy'>) {}

  async read(objectId: string): Promise<{ at: number; read: UserRead }> {
    const now = this.deps.clock.now();
    let cached = this.reads.get(objectId);
    if (!cached || now - cached.at > this.deps.policy.reconcileFreshnessMs) {
      cached = { at: now, read: this.deps.directory.readUser(objectId) };
      this.reads.set(objectId, cached);
      // A failed read is not reused: the next action tries again.
      cached.read.catch(() => this.reads.delete(objectId));
    }
    return { at: cached.at, read: await cached.read };
  }
}

async function fencedApply(
  action: Action,
  reads: FreshReads,
  fence: LaneFence,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<Outcome> {
  const { state, clock } = deps;
  try {
    // One round trip for the whole fence, not one per key.
    const marks = await Promise.all(action.fence.map((key) => fence.lastEventAt(key)));
    const changed = action.fence.find((_, i) => (marks[i] ?? -Infinity) > action.snapshotAt);
    if (changed !== undefined) {
      await deps.requeue(action.fence[0] ?? changed);
      return { action, status: 'superseded', detail: `${changed} changed after the snapshot` };
    }
    if (clock.now() - action.snapshotAt > deps.policy.reconcileFreshnessMs && 'objectId' in action) {
      const verdict = await stillGranted(action, {
        policy: deps.policy,
        readUser: async (objectId) => (await reads.read(objectId)).read,
      });
      if (verdict !== undefined && !verdict) {
        await deps.requeue(userKey(action.objectId));
        return { action, status: 'superseded', detail: 'a fresh read of the user no longer supports it' };
      }
    }
    if (isDeprovision(action)) {
      const limit = budgetLimit(deps.policy, options.managedUsers);
      if (!(await state.drawBudget(clock.now(), limit, deps.policy.deprovisionWindowMs))) {
        await hold(action, 'budget', deps, options);
        return { action, status: 'held', detail: `the deprovision budget of ${limit} is spent` };
      }
    }
    return await executeAction(action, deps);
  } catch (error) {
    return { action, status: 'failed', error: failureOf(error, false) };
  }
}

/**
 * A failed outcome's error. Typed errors say whether a retry may pass; for any other throw,
 * `otherwise`: an action's own error is not retried, a lane's (the lease, storage around it) is.
 */
function failureOf(error: unknown, otherwise: boolean): { message: string; retryable: boolean } {
  const typed = error instanceof Error && 'retryable' in error && typeof error.retryable === 'boolean';
  return {
    message: error instanceof Error ? error.message : String(error),
    retryable: typed ? error.retryable === true : otherwise,
  };
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
