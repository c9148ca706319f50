import { okJson } from '../backend.js';
import { CommandError, EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { table } from '../format.js';
import { startAndWait } from '../runWait.js';

interface SubscriptionRow {
  id: string;
  resource: string;
  expiresAtIso: string;
  expiresInHours: number;
  clientStateVersion: string;
}

export const subscriptionsCommand: Command = {
  name: 'subscriptions',
  summary: 'list, ensure or rotate the Graph subscriptions',
  usage: `usage: entra-gogs-sync subscriptions list [--json]
       entra-gogs-sync subscriptions ensure
       entra-gogs-sync subscriptions rotate

list shows ours with their expiry. ensure renews them (or recreates one Graph lost, then catches
up); rotate recreates them with the current GRAPH_CLIENT_STATE (set GRAPH_CLIENT_STATE_PREVIOUS
first). Only the app's own identity may own subscriptions, so against a deployed app use --remote;
locally the renew job runs in this process with the local settings' identity.
Exit 0, 1 when the run failed.`,
  run: async (ctx) => {
    const [sub = 'list', ...extra] = ctx.args;
    if (extra.length > 0 || !['list', 'ensure', 'rotate'].includes(sub))
      throw new UsageError('subscriptions takes list, ensure or rotate');
    const backend = await ctx.backend();
    if (sub === 'list') {
      const body = okJson<{ subscriptions: SubscriptionRow[] }>(
        await backend.call('GET', '/api/subscriptions'),
        'listing subscriptions',
      );
      if (ctx.json) ctx.out(JSON.stringify(body, null, 2));
      else if (body.subscriptions.length === 0)
        ctx.out('no subscriptions: run `entra-gogs-sync subscriptions ensure`');
      else
        ctx.out(
          table(
            ['resource', 'id', 'expires', 'hours left'],
            body.subscriptions.map((s) => [
              s.resource.replace(/^\//, ''),
              s.id,
              s.expiresAtIso,
              s.expiresInHours,
            ]),
          ),
        );
      return EXIT.ok;
    }
    if (sub !== 'ensure' && sub !== 'rotate')
      throw new UsageError(`subscriptions: unknown subcommand ${sub}; use list, ensure or rotate`);
    const run = await startAndWait(
      backend,
      `/api/subscriptions/${sub}`,
      {},
      { what: `subscriptions ${sub}` },
    );
    if (run.warning) ctx.io.stderr.write(`warning: ${run.warning}\n`);
    if (ctx.json) ctx.out(JSON.stringify(run, null, 2));
    else ctx.out(`subscriptions ${sub}: run ${run.id} ${run.status}${run.error ? `: ${run.error}` : ''}`);
    if (run.status === 'failed')
      throw new CommandError(`subscriptions ${sub} failed: ${run.error ?? 'no reason given'}`);
    return EXIT.ok;
  },
};
