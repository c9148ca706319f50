import { actionId, type Outcome } from '../../domain/actions.js';
import type { ChangeMessage } from '../../state/index.js';
import { RunStore } from '../../state/index.js';
import type { Finding, Plan } from '../../sync/model.js';
import { planSync } from '../../sync/planSync.js';
import { scopeGroups } from '../../sync/policy.js';
import { readActualState, readDesiredState } from '../../sync/readState.js';
import { runCompleted } from '../telemetry.js';
import { RunStalledError } from './errors.js';
import { applyDeps, enqueueFollowUp, type FlowContext, type FlowResult } from './flowContext.js';
import { GroupsBeneath } from './groupsBeneath.js';
import { forgetDrained, formerTeamsPlan } from './mappingWatch.js';
import { applyAndRecord, throwIfRetryable } from './recordOutcomes.js';
import type { WorkerApp } from './workerApp.js';

export type RunMessage = Extract<ChangeMessage, { kind: 'reconcile' | 'reassert' }>;

/** The lease that keeps full reconciles to one at a time across workers (DESIGN §3.3). */
export const RECONCILE_LEASE = 'reconcile';
/** Actions listed in a dry run's plan (the run row holds about 30K characters). */
const PLAN_LISTED = 150;
/**
 * A run starts no more writes this long after it started: with its reads and the audit's last
 * batch it ends well inside the 10-minute function timeout (host.json). What it had no time for is
 * `deferred` and a continuation run, queued at once, re-plans from fresh reads.
 */
export const RUN_APPLY_BUDGET_MS = 7 * 60_000;
/**
 * Within that budget a run also stops once its snapshot is older than RECONCILE_FRESHNESS: past
 * it every grant would re-read its user (1 + ⌈scope groups / 20⌉ Graph calls each), while the
 * continuation re-reads the whole directory in about two listings per scope group. A run whose
 * reads alone took longer still applies for this long, so every run makes progress.
 */
export const RUN_MIN_APPLY_MS = 60_000;
/** No write starts later than this into a run, whatever its reads took (the timeout is 10 min). */
export const RUN_HARD_STOP_MS = 9 * 60_000;

/**
 * A full reconcile (DESIGN §3.3), or a re-assertion pass (`reassert`: re-send what Gogs hides,
 * DESIGN §2.1): one at a time, recorded as a run with counts per outcome and its findings; a dry
 * run stores the plan and applies nothing.
 */
export async function reconcileFlow(ctx: FlowContext<RunMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const runId = message.runId ?? RunStore.newId(app.clock.now());
  const kind = message.kind;
  const dryRun = (message.kind === 'reconcile' && message.dryRun === true) || app.config.policy.dryRun;
  const requestedBy = message.kind === 'reconcile' ? message.requestedBy : undefined;
  return app.stores.sync.leases.withLease(RECONCILE_LEASE, async () => {
    const startedAt = app.clock.now();
    const completed = (outcome: 'succeeded' | 'failed', counts: Record<string, number>) =>
      runCompleted(app.log ?? console, {
        kind,
        runId,
        outcome,
        durationMs: app.clock.now() - startedAt,
        actions: counts.planned ?? 0,
        failedActions: counts.failed,
        dryRun: dryRun || undefined,
      });
    await app.stores.runs.start({
      id: runId,
      kind,
      startedAt,
      dryRun,
      ...(requestedBy ? { requestedBy } : {}),
    });
    let result: Awaited<ReturnType<typeof run>>;
    try {
      result = await run(ctx, runId, dryRun, startedAt);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await app.stores.runs.finish(runId, { status: 'failed', finishedAt: app.clock.now(), error: reason });
      await auditRun(ctx, runId, 'failed', {}, dryRun);
      completed('failed', {});
      throw error;
    }
    const { plan, counts, outcomes } = result;
    const status = (counts.failed ?? 0) > 0 ? 'partial' : 'succeeded';
    const summary = dryRun ? planSummary(plan) : { findings: plan.findings.slice(0, PLAN_LISTED) };
    await app.stores.runs.finish(runId, { status, finishedAt: app.clock.now(), counts, plan: summary });
    await auditRun(ctx, runId, status, counts, dryRun);
    // A partial run completed: its permanent failures are in `status`, not a missing reconcile.
    completed('succeeded', counts);
    // A Gogs outage mid-run: the whole run comes back with backoff (it is idempotent).
    throwIfRetryable(outcomes);
    return { status: 'done', counts, runId };
  });
}

/**
 * The full reconcile's reads and plan (DESIGN §3.3): the desired state from Graph with the last
 * known group sizes (the suspect-read rule), the actual state from Gogs and then the identities,
 * `planSync`.
 * Reads only; the CLI's `plan` and `apply` use it too.
 */
export async function readReconcilePlan(app: WorkerApp, reassert = false) {
  const scope = [...scopeGroups(app.policy)].sort();
  const sizes = await app.stores.groupSizes.getMany(scope);
  const lastKnown = new Map([...sizes].map(([id, size]) => [id, size.members]));
  const desired = await readDesiredState(app.directory, app.policy, app.clock, lastKnown);
  const { actual, identities } = await readActualState(app.gogs, app.policy, () =>
    app.stores.sync.listIdentities(),
  );
  const byId = new Map(identities.map((identity) => [identity.objectId, identity]));
  const planned = planSync({ desired, actual, identities: byId, reassert }, app.policy);
  return { planned, identities, desired, scope };
}

async function run(ctx: FlowContext<RunMessage>, runId: string, dryRun: boolean, startedAt: number) {
  const { app } = ctx;
  const { planned, identities, desired, scope } = await readReconcilePlan(
    app,
    ctx.message.kind === 'reassert',
  );
  // Teams that left the mapping: reported on every run, drained only when an operator asked.
  const drain = ctx.message.kind === 'reconcile' ? (ctx.message.drainTeams ?? []) : [];
  const former = await formerTeamsPlan(app, identities, drain, desired.snapshotAt);
  const resumeAt = ctx.message.kind === 'reassert' ? ctx.message.resumeAt : undefined;
  const plan: Plan = {
    ...planned,
    actions: [...planned.actions, ...former.actions].filter(
      (action) => resumeAt === undefined || !('objectId' in action) || action.objectId >= resumeAt,
    ),
    findings: [...planned.findings, ...former.findings],
  };
  await new GroupsBeneath(app).refresh(scope);
  const counts: Record<string, number> = { planned: plan.actions.length };
  for (const finding of plan.findings)
    counts[`finding.${finding.kind}`] = (counts[`finding.${finding.kind}`] ?? 0) + 1;
  if (dryRun) return { plan, counts, outcomes: [] as Outcome[] };

  const cause = { type: 'reconcile' as const, id: runId };
  const runCtx = { ...ctx, cause };
  const { outcomes, counts: statusCounts } = await applyAndRecord(
    app,
    plan,
    applyDeps(runCtx),
    {
      concurrency: app.config.gogs.concurrency,
      cause: `reconcile:${runId}`,
      managedUsers: identities.filter((identity) => identity.status === 'active').length,
      deadline: applyDeadline(app, startedAt, desired.snapshotAt),
    },
    { cause, runId },
  );
  await continueIfDeferred(ctx, runId, outcomes);
  // A drained team is forgotten once every removal from it applied (held ones keep it reported).
  const drainIds = new Set(former.actions.map(actionId));
  const undrained = new Set(
    outcomes.flatMap((o) =>
      o.status !== 'applied' && o.action.kind === 'removeTeamMember' && drainIds.has(actionId(o.action))
        ? [`${o.action.org}/${o.action.team}`.toLowerCase()]
        : [],
    ),
  );
  await forgetDrained(
    app,
    drain.filter((t) => !undrained.has(`${t.org}/${t.team}`.toLowerCase())),
  );
  const suspect = new Set(plan.findings.flatMap((f) => (f.kind === 'suspectGroup' ? [f.groupId] : [])));
  for (const [groupId, read] of desired.groupReads) {
    if (read.status !== 'ok' || suspect.has(groupId)) continue;
    await app.stores.groupSizes.put({ groupId, members: read.members.length, at: desired.snapshotAt });
  }
  return { plan, counts: { ...counts, ...statusCounts }, outcomes };
}

/**
 * When a run stops starting writes: at the budget or once its snapshot is stale, whichever comes
 * first, but never before it has had `RUN_MIN_APPLY_MS` of writes, and never past the hard stop.
 */
function applyDeadline(app: WorkerApp, startedAt: number, snapshotAt: number): number {
  const due = Math.min(startedAt + RUN_APPLY_BUDGET_MS, snapshotAt + app.policy.reconcileFreshnessMs);
  return Math.min(startedAt + RUN_HARD_STOP_MS, Math.max(due, app.clock.now() + RUN_MIN_APPLY_MS));
}

/**
 * Queues the next run of the same kind at once when this one deferred actions; it reads afresh,
 * so it plans only what is left (a re-assertion resumes at the first user it deferred). Not when a
 * write failed retryably: then the message itself comes back with backoff and re-plans it all. A
 * run that deferred everything made no progress and fails instead, rather than queue itself
 * forever.
 */
async function continueIfDeferred(ctx: FlowContext<RunMessage>, runId: string, outcomes: readonly Outcome[]) {
  const deferred = outcomes.filter((o) => o.status === 'deferred');
  if (deferred.length === 0 || outcomes.some((o) => o.status === 'failed' && o.error?.retryable)) return;
  if (deferred.length === outcomes.length) throw new RunStalledError(runId, deferred.length);
  const reason = `continues run ${runId} (${deferred.length} actions deferred by its time budget)`;
  const { message } = ctx;
  if (message.kind === 'reassert') {
    const first = deferred.flatMap((o) => ('objectId' in o.action ? [o.action.objectId] : [])).sort()[0];
    await enqueueFollowUp(ctx, { kind: 'reassert', reason, ...(first ? { resumeAt: first } : {}) });
    return;
  }
  await enqueueFollowUp(ctx, {
    kind: 'reconcile',
    ...(message.requestedBy ? { requestedBy: message.requestedBy } : {}),
    // A drain asked for must not be lost with the actions it had no time for.
    ...(message.drainTeams?.length ? { drainTeams: message.drainTeams } : {}),
    reason,
  });
}

async function auditRun(
  ctx: FlowContext<RunMessage>,
  runId: string,
  status: string,
  counts: Record<string, number>,
  dryRun: boolean,
) {
  await ctx.app.stores.audit.write([
    {
      type: 'run',
      kind: ctx.message.kind,
      status,
      appliedAt: ctx.app.clock.now(),
      runId,
      cause: { type: 'reconcile', id: runId },
      receivedAt: ctx.message.receivedAt,
      counts,
      dryRun,
      ...(ctx.message.kind === 'reconcile' && ctx.message.requestedBy
        ? { actor: ctx.message.requestedBy }
        : {}),
      ...(ctx.message.reason ? { reason: ctx.message.reason } : {}),
    },
  ]);
}

function planSummary(plan: Plan): { actions: unknown[]; more: number; findings: Finding[] } {
  return {
    actions: plan.actions.slice(0, PLAN_LISTED).map((action) => ({
      id: actionId(action),
      kind: action.kind,
      reason: action.reason,
      ...('username' in action ? { username: action.username } : {}),
    })),
    more: Math.max(0, plan.actions.length - PLAN_LISTED),
    findings: plan.findings.slice(0, PLAN_LISTED),
  };
}
