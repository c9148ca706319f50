import type { App } from '../app/composition.js';
import { applyDeps, flowContext } from '../app/worker/flowContext.js';
import { RECONCILE_LEASE } from '../app/worker/index.js';
import { recordOutcomes } from '../app/worker/recordOutcomes.js';
import type { Outcome } from '../domain/actions.js';
import { parseChangeMessage, RunStore } from '../state/index.js';
import { applyPlan } from '../sync/applyPlan.js';
import type { Finding } from '../sync/model.js';
import { LOCAL_ACTOR } from './localBackend.js';
import { readPlan } from './localPlan.js';

export interface ApplyResult {
  runId: string;
  planned: number;
  attempted: number;
  counts: Record<string, number>;
  outcomes: Outcome[];
  findings: Finding[];
}

/**
 * `apply` in local mode: a reconcile run (one at a time, under the reconcile lease) whose plan is
 * applied through `applyPlan` — the one write path, with fencing, leases and the deprovision
 * budget — in slices, so the terminal can show progress; `limit` applies only the first N actions
 * of the sorted plan (a staged rollout). Each outcome is audited as the worker audits it.
 */
export async function localApply(
  app: App,
  options: {
    limit?: number;
    onProgress?: (done: number, total: number, counts: Record<string, number>) => void;
  },
): Promise<ApplyResult> {
  const runId = RunStore.newId(app.clock.now());
  const message = parseChangeMessage({
    kind: 'reconcile',
    runId,
    requestedBy: LOCAL_ACTOR,
    reason: 'apply from the CLI',
    receivedAt: app.clock.now(),
  });
  const ctx = flowContext(app, message, { messageId: `cli-${runId}`, dequeueCount: 1 });
  const cause = { type: 'operator' as const, id: runId };
  return app.stores.sync.leases.withLease(RECONCILE_LEASE, async () => {
    await app.stores.runs.start({
      id: runId,
      kind: 'reconcile',
      startedAt: app.clock.now(),
      dryRun: false,
      requestedBy: LOCAL_ACTOR,
    });
    try {
      const { plan, managedUsers } = await readPlan(app);
      const chosen = options.limit === undefined ? plan.actions : plan.actions.slice(0, options.limit);
      const counts: Record<string, number> = {};
      const outcomes: Outcome[] = [];
      const slice = Math.max(10, app.config.gogs.concurrency * 4);
      options.onProgress?.(0, chosen.length, counts);
      for (let start = 0; start < chosen.length; start += slice) {
        const part = { ...plan, actions: chosen.slice(start, start + slice) };
        const applied = await applyPlan(part, applyDeps({ ...ctx, cause }), {
          concurrency: app.config.gogs.concurrency,
          cause: `operator:${runId}`,
          managedUsers,
        });
        for (const [status, n] of Object.entries(await recordOutcomes(app, applied, { cause, runId })))
          counts[status] = (counts[status] ?? 0) + n;
        outcomes.push(...applied);
        options.onProgress?.(outcomes.length, chosen.length, counts);
      }
      const status = (counts.failed ?? 0) > 0 ? 'partial' : 'succeeded';
      const runCounts = { planned: plan.actions.length, ...counts };
      await app.stores.runs.finish(runId, {
        status,
        finishedAt: app.clock.now(),
        counts: runCounts,
        plan: { findings: plan.findings.slice(0, 150) },
      });
      await app.stores.audit.write([
        {
          type: 'run',
          kind: 'reconcile',
          status,
          appliedAt: app.clock.now(),
          runId,
          cause,
          counts: runCounts,
          dryRun: false,
          actor: LOCAL_ACTOR,
        },
      ]);
      return {
        runId,
        planned: plan.actions.length,
        attempted: chosen.length,
        counts,
        outcomes,
        findings: plan.findings,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await app.stores.runs.finish(runId, { status: 'failed', finishedAt: app.clock.now(), error: reason });
      throw error;
    }
  });
}
