import { CommandError, EXIT } from '../cliIo.js';
import type { Command, CommandContext } from '../command.js';
import { table } from '../format.js';
import { type PlanView, planView, readPlan, sortFindings, targetOf } from '../localPlan.js';
import { refuseWhilePaused } from '../pauseGuard.js';
import { startAndWait } from '../runWait.js';

export const planCommand: Command = {
  name: 'plan',
  summary: 'dry run: the actions a reconcile would take, with reasons; findings first',
  usage: `usage: entra-gogs-sync plan [--json]

Reads Entra and Gogs and prints what a full reconcile would do, writing nothing: findings
(adoption candidates and username collisions first), then one line per action with its reason.
Local mode plans in this process; --remote asks the app for a dry run (POST /api/reconcile
{"dryRun":true}) and prints the run's plan (at most 150 actions listed, the rest counted).
Exit 0 (also when there is something to do), 1 when the plan could not be made, 3 with --remote
while the sync is paused (the app runs no dry run then; local mode plans anyway).`,
  run: async (ctx) => {
    const view = await planOf(ctx);
    if (ctx.json) {
      ctx.out(JSON.stringify({ count: view.actions.length + view.more, ...view }, null, 2));
      return EXIT.ok;
    }
    printPlan(ctx, view);
    return EXIT.ok;
  },
};

async function planOf(ctx: CommandContext): Promise<PlanView> {
  const backend = await ctx.backend();
  if (backend.app) return planView((await readPlan(backend.app)).plan);
  // The app's worker defers every reconcile, dry runs included, while paused.
  await refuseWhilePaused(backend, 'a remote dry run');
  const run = await startAndWait(backend, '/api/reconcile', { dryRun: true }, { what: 'the dry run' });
  if (run.status === 'failed')
    throw new CommandError(`the dry run failed: ${run.error ?? 'no reason given'}`);
  const plan = (run.plan ?? {}) as Partial<PlanView>;
  return { actions: plan.actions ?? [], more: plan.more ?? 0, findings: sortFindings(plan.findings ?? []) };
}

function printPlan(ctx: CommandContext, view: PlanView): void {
  if (view.findings.length > 0) {
    ctx.out(`findings (${view.findings.length}):`);
    for (const finding of view.findings) {
      const { kind, ...rest } = finding;
      ctx.out(
        `  ${kind} ${Object.entries(rest)
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(' ')}`,
      );
    }
    ctx.out();
  }
  const total = view.actions.length + view.more;
  if (total === 0) {
    ctx.out('nothing to do: Gogs is in step with Entra');
    return;
  }
  ctx.out(
    table(
      ['action', 'user', 'team/org', 'reason'],
      view.actions.map((a) => [a.kind, a.username ?? '', targetOf(a), a.reason]),
    ),
  );
  if (view.more > 0) ctx.out(`… and ${view.more} more`);
  const byKind = new Map<string, number>();
  for (const action of view.actions) byKind.set(action.kind, (byKind.get(action.kind) ?? 0) + 1);
  ctx.out();
  ctx.out(`${total} action${total === 1 ? '' : 's'}: ${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ')}`);
}
