import { CommandError, EXIT, UsageError } from '../cliIo.js';
import type { Command, CommandContext } from '../command.js';
import { stringOption } from '../command.js';
import { localApply } from '../localApply.js';
import { refuseWhilePaused } from '../pauseGuard.js';
import { startAndWait } from '../runWait.js';

const STATUSES = ['applied', 'held', 'failed', 'skipped', 'superseded'] as const;

export const applyCommand: Command = {
  name: 'apply',
  summary: 'run a reconcile now and apply its plan (--limit N for a staged rollout)',
  usage: `usage: entra-gogs-sync apply [--limit N] [--json]

Plans like \`plan\` and applies the plan through the one write path (fencing, leases, the
deprovision budget), then prints a summary: applied, held, failed, skipped, superseded.
On a terminal a progress bar shows the actions done; otherwise one plain line per slice.
  --limit N   apply only the first N actions of the sorted plan (local mode only: the admin API
              applies whole plans)
--remote starts a reconcile (POST /api/reconcile) and waits for its run.
Exit 0 all applied, 1 an action failed, 3 actions were held by the deprovision budget
(approve them with \`held approve\`) or the sync is paused (nothing ran).`,
  options: { limit: { type: 'string' } },
  run: async (ctx) => {
    const limitText = stringOption(ctx.values, 'limit');
    const limit = limitText === undefined ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new UsageError('--limit must be a whole number of at least 1');
    if (limit !== undefined && ctx.mode === 'remote') {
      throw new UsageError(
        '--limit is local-only: the admin API applies whole plans (run apply with --settings)',
      );
    }
    const backend = await ctx.backend();
    await refuseWhilePaused(backend, 'apply');
    const summary = backend.app ? await applyLocal(ctx, limit) : await applyRemote(ctx);
    if (ctx.json) ctx.out(JSON.stringify(summary, null, 2));
    else {
      const parts = STATUSES.map((s) => `${summary.counts[s] ?? 0} ${s}`);
      ctx.out(
        `run ${summary.runId}: ${parts.join(', ')}${summary.planned > summary.attempted ? ` (${summary.planned - summary.attempted} left for later)` : ''}`,
      );
      for (const line of summary.failures) ctx.out(`  failed: ${line}`);
      if ((summary.counts.held ?? 0) > 0)
        ctx.out('held actions wait for an operator: `entra-gogs-sync held list`');
    }
    if ((summary.counts.failed ?? 0) > 0) return EXIT.failed;
    return (summary.counts.held ?? 0) > 0 ? EXIT.held : EXIT.ok;
  },
};

interface Summary {
  runId: string;
  status: string;
  planned: number;
  attempted: number;
  counts: Record<string, number>;
  failures: string[];
}

async function applyLocal(ctx: CommandContext, limit: number | undefined): Promise<Summary> {
  const app = (await ctx.backend()).app;
  if (!app) throw new CommandError('local mode has no app');
  const tty = ctx.io.stdout.isTTY === true && !ctx.json;
  const result = await localApply(app, {
    ...(limit === undefined ? {} : { limit }),
    onProgress: (done, total, counts) => {
      if (ctx.json) return;
      if (tty) ctx.io.stdout.write(`\r${bar(done, total)} ${done}/${total}${done === total ? '\n' : ''}`);
      else if (total > 0)
        ctx.out(`progress ${done}/${total} ${STATUSES.map((s) => `${s}=${counts[s] ?? 0}`).join(' ')}`);
    },
  });
  const failures = result.outcomes
    .filter((o) => o.status === 'failed')
    .map(
      (o) =>
        `${o.action.kind} ${'username' in o.action ? o.action.username : ''}: ${o.error?.message ?? o.detail ?? ''}`,
    );
  const status = (result.counts.failed ?? 0) > 0 ? 'partial' : 'succeeded';
  return {
    runId: result.runId,
    status,
    planned: result.planned,
    attempted: result.attempted,
    counts: result.counts,
    failures,
  };
}

async function applyRemote(ctx: CommandContext): Promise<Summary> {
  const backend = await ctx.backend();
  let waited = false;
  const run = await startAndWait(
    backend,
    '/api/reconcile',
    {},
    {
      what: 'the reconcile',
      onWait: (r) => {
        if (!ctx.json && !waited) ctx.out(`run ${r.id} ${r.status}…`);
        waited = true;
      },
    },
  );
  if (run.status === 'failed')
    throw new CommandError(`the reconcile failed: ${run.error ?? 'no reason given'}`);
  const counts = run.counts ?? {};
  const planned = counts.planned ?? 0;
  // A run past its time budget defers the rest to the continuation it queued (reconcileFlow).
  const attempted = planned - (counts.deferred ?? 0);
  return { runId: run.id, status: run.status, planned, attempted, counts, failures: [] };
}

function bar(done: number, total: number): string {
  const width = 30;
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
