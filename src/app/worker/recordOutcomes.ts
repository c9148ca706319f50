import type { Cause, Outcome } from '../../domain/actions.js';
import { actionId } from '../../domain/actions.js';
import { type AuditRecord, auditRecordOfOutcome } from '../../state/index.js';
import { type ApplyDeps, type ApplyOptions, applyPlan } from '../../sync/applyPlan.js';
import { budgetLimit } from '../../sync/guard.js';
import type { Plan } from '../../sync/model.js';
import { guardTripped, windowText } from '../telemetry.js';
import { RetryableOutcomesError } from './errors.js';
import { causeText } from './flowContext.js';
import type { WorkerApp } from './workerApp.js';

export interface RecordContext {
  cause: Cause;
  receivedAt?: number;
  eventTime?: number;
  runId?: string;
  dryRun?: boolean;
}

/**
 * Applies a plan — under DRY_RUN only lists it — and audits every outcome as it settles, also
 * when applying throws partway (a lease that could not be had, marks not written): a write that
 * happened is never left out of the audit. Returns the outcomes and the counts per status.
 */
export async function applyAndRecord(
  app: WorkerApp,
  plan: Plan,
  deps: ApplyDeps,
  options: ApplyOptions,
  context: RecordContext,
): Promise<{ outcomes: Outcome[]; counts: Record<string, number> }> {
  if (context.dryRun) {
    const outcomes = dryRunOutcomes(plan.actions);
    return { outcomes, counts: await recordOutcomes(app, outcomes, context) };
  }
  const recorder = new OutcomeRecorder(app, context);
  let outcomes: Outcome[];
  try {
    outcomes = await applyPlan(plan, deps, {
      ...options,
      onSettled: (outcome) => {
        options.onSettled?.(outcome);
        recorder.add(outcome);
      },
    });
  } catch (error) {
    await recorder.finish().catch(() => undefined);
    throw error;
  }
  return { outcomes, counts: await recorder.finish() };
}

/**
 * Writes one audit record per outcome (table row and blob line), records permanent failures in
 * `failures` and clears those of actions that now applied. Returns the counts per status.
 */
export async function recordOutcomes(
  app: WorkerApp,
  outcomes: readonly Outcome[],
  context: RecordContext,
): Promise<Record<string, number>> {
  const counts = await writeOutcomes(app, outcomes, context);
  // Telemetry never fails the message: the held actions are stored either way.
  if (counts.held) await reportHeld(app, outcomes, context).catch(() => undefined);
  return counts;
}

/** Outcomes per audit batch of a long run (the audit table writes 100 a transaction). */
const RECORD_BATCH = 200;

async function writeOutcomes(
  app: WorkerApp,
  outcomes: readonly Outcome[],
  context: RecordContext,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  if (outcomes.length === 0) return counts;
  const appliedAt = app.clock.now();
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1;
  // Nothing happened to a deferred action: its run counts it and its continuation audits it.
  const done = outcomes.filter((outcome) => outcome.status !== 'deferred');
  const records: AuditRecord[] = done.map((outcome) => {
    const record = auditRecordOfOutcome(outcome, {
      cause: context.cause,
      appliedAt,
      ...(context.receivedAt === undefined ? {} : { receivedAt: context.receivedAt }),
      ...(context.eventTime === undefined ? {} : { eventTime: context.eventTime }),
      ...(context.runId === undefined ? {} : { runId: context.runId }),
    });
    return context.dryRun ? { ...record, dryRun: true } : record;
  });
  if (records.length > 0) await app.stores.audit.write(records);
  await trackFailures(app, outcomes, context.cause, appliedAt);
  return counts;
}

/**
 * Records a long run's outcomes while it applies, in batches, so a run cut short (the function
 * timeout, a crash) loses none of the audit records of what it did, and the run never holds them
 * all. Writes go out in order, one batch at a time; a batch whose write failed is tried once more
 * by `finish`, which throws if it fails again (the message is retried). The held report goes out
 * once, from `finish`.
 */
export class OutcomeRecorder {
  private pending: Outcome[] = [];
  private readonly held: Outcome[] = [];
  private written: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Outcomes of a batch whose write failed: tried once more by `finish`. */
  private readonly unwritten: Outcome[] = [];
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly app: WorkerApp,
    private readonly context: RecordContext,
    private readonly batch = RECORD_BATCH,
  ) {}

  add(outcome: Outcome): void {
    this.pending.push(outcome);
    if (outcome.status === 'held') this.held.push(outcome);
    if (this.pending.length >= this.batch) this.flush();
  }

  /** Writes what is left, retries a batch that failed once, and waits; returns the counts per status. */
  async finish(): Promise<Record<string, number>> {
    this.flush();
    await this.written;
    if (this.unwritten.length > 0) {
      const again = this.unwritten.splice(0);
      this.failure = undefined;
      await this.write(again);
    }
    if (this.failure !== undefined) throw this.failure;
    if (this.held.length > 0) await reportHeld(this.app, this.held, this.context).catch(() => undefined);
    return { ...this.counts };
  }

  private flush(): void {
    const outcomes = this.pending;
    if (outcomes.length === 0) return;
    this.pending = [];
    this.written = this.written.then(() => this.write(outcomes));
  }

  private async write(outcomes: Outcome[]): Promise<void> {
    try {
      const counts = await writeOutcomes(this.app, outcomes, this.context);
      for (const [status, n] of Object.entries(counts)) this.counts[status] = (this.counts[status] ?? 0) + n;
    } catch (error) {
      this.failure ??= error;
      this.unwritten.push(...outcomes);
    }
  }
}

/** `sync.guardTripped` once per reason (the budget, a suspect group read) for the held outcomes. */
async function reportHeld(app: WorkerApp, outcomes: readonly Outcome[], context: RecordContext) {
  const held = outcomes.filter((o) => o.status === 'held');
  const managedUsers = (await app.stores.sync.listIdentities()).filter((i) => i.status === 'active').length;
  for (const reason of ['budget', 'suspectGroup'] as const) {
    const these = held.filter(
      (o) => ('hold' in o.action && o.action.hold ? 'suspectGroup' : 'budget') === reason,
    );
    if (these.length === 0) continue;
    const objectIds = new Set(these.flatMap((o) => ('objectId' in o.action ? [o.action.objectId] : [])));
    guardTripped(app.log ?? console, {
      heldCount: these.length,
      budget: budgetLimit(app.policy, managedUsers),
      window: windowText(app.policy.deprovisionWindowMs),
      cause: context.cause.type === 'reconcile' ? 'reconcile' : 'event',
      reason,
      runId: context.runId,
      objectId: objectIds.size === 1 ? [...objectIds][0] : undefined,
    });
  }
}

async function trackFailures(app: WorkerApp, outcomes: readonly Outcome[], cause: Cause, at: number) {
  const permanent = outcomes.filter((o) => o.status === 'failed' && o.error?.retryable !== true);
  const applied = outcomes.filter((o) => o.status === 'applied');
  if (permanent.length === 0 && applied.length === 0) return;
  for (const { action, error } of permanent) {
    await app.stores.failures.record({
      id: actionId(action),
      kind: action.kind,
      message: error?.message ?? 'failed',
      at,
      cause: causeText(cause),
      ...('objectId' in action ? { objectId: action.objectId, username: action.username } : {}),
    });
  }
  if (applied.length === 0) return;
  // One partition read instead of a delete per applied action.
  const open = new Set((await app.stores.failures.list()).map((f) => f.id));
  for (const { action } of applied) {
    if (open.has(actionId(action))) await app.stores.failures.clear(actionId(action));
  }
}

/** Retryable failures send the message back with backoff; permanent ones were recorded above. */
export function throwIfRetryable(outcomes: readonly Outcome[]): void {
  const retryable = outcomes.filter((o) => o.status === 'failed' && o.error?.retryable === true);
  const first = retryable[0];
  if (first) throw new RetryableOutcomesError(retryable.length, first.error?.message ?? 'failed');
}

/** Outcomes of a plan applied under DRY_RUN: every action planned, none written. */
export function dryRunOutcomes(actions: readonly Outcome['action'][]): Outcome[] {
  return actions.map((action) => ({ action, status: 'skipped', detail: 'DRY_RUN: planned, not applied' }));
}

export function countStatuses(outcomes: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status } of outcomes) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}
