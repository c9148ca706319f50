import { okJson } from '../backend.js';
import { EXIT } from '../cliIo.js';
import type { Command } from '../command.js';

interface StatusBody {
  at: string;
  paused: { paused: boolean; by?: string; reason?: string } | null;
  subscriptions: { resource: string; id: string; expiresAt: string; expiresInHours: number }[] | null;
  runs: Record<
    string,
    {
      lastStarted: { id: string; status: string; ageMinutes: number } | null;
      lastSucceeded: { ageMinutes: number } | null;
    }
  > | null;
  queue: { changes: number; poison: number } | null;
  guard: {
    state: string;
    held: number;
    budget: { used: number | null; limit: number; managedUsers: number };
  };
  failures: { count: number } | null;
  residualAccess: { suspendedUsers: number; usersWithPossibleTokens: number } | null;
  watchdog: { healthy: boolean; findings: { job: string; problem: string }[] };
  errors: { section: string; message: string }[];
}

export const statusCommand: Command = {
  name: 'status',
  summary: 'health: guard, held actions, queues, runs, subscriptions, pause',
  usage: `usage: entra-gogs-sync status [--json]

Shows GET /api/status: the guard and held actions, queue and poison depth, the last reconcile and
catch-up, each subscription with its expiry, pause, failures, residual access, the watchdog.
Exit 0, or 3 when the deprovision guard is tripped (held actions wait), 1 when it can't be read.`,
  run: async (ctx) => {
    const status = okJson<StatusBody>(await (await ctx.backend()).call('GET', '/api/status'), 'status');
    const tripped = status.guard?.state === 'tripped';
    if (ctx.json) {
      ctx.out(JSON.stringify(status, null, 2));
      return tripped ? EXIT.held : EXIT.ok;
    }
    const budget = status.guard.budget;
    ctx.out(
      `sync      ${status.paused?.paused ? `paused by ${status.paused.by ?? '?'}${status.paused.reason ? ` (${status.paused.reason})` : ''}` : 'running'}`,
    );
    ctx.out(
      `guard     ${status.guard.state}: ${status.guard.held} held, budget ${budget.used ?? '?'}/${budget.limit} for ${budget.managedUsers} managed users`,
    );
    if (status.queue) ctx.out(`queue     ${status.queue.changes} waiting, ${status.queue.poison} poison`);
    for (const [kind, run] of Object.entries(status.runs ?? {})) {
      const last = run.lastStarted;
      ctx.out(
        `${kind.padEnd(9)} ${last ? `${last.status} ${last.ageMinutes} min ago` : 'never run'}${run.lastSucceeded ? `; last success ${run.lastSucceeded.ageMinutes} min ago` : ''}`,
      );
    }
    for (const s of status.subscriptions ?? [])
      ctx.out(`subscription ${s.resource.replace(/^\//, '')} until ${s.expiresAt} (${s.expiresInHours} h)`);
    if ((status.subscriptions ?? []).length === 0)
      ctx.out('subscriptions none: run `entra-gogs-sync subscriptions ensure`');
    if (status.failures && status.failures.count > 0) ctx.out(`failures  ${status.failures.count} recorded`);
    if (status.residualAccess)
      ctx.out(`residual  ${status.residualAccess.suspendedUsers} suspended users may keep access tokens`);
    ctx.out(
      `watchdog  ${status.watchdog.healthy ? 'healthy' : status.watchdog.findings.map((f) => `${f.job}: ${f.problem}`).join('; ')}`,
    );
    for (const e of status.errors ?? []) ctx.out(`error     ${e.section}: ${e.message}`);
    if (tripped) ctx.out('the guard is tripped: review with `entra-gogs-sync held list`');
    return tripped ? EXIT.held : EXIT.ok;
  },
};
