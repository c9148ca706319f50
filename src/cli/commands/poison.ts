import { okJson } from '../backend.js';
import { EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { table } from '../format.js';

export const poisonCommand: Command = {
  name: 'poison',
  summary: 'list, retry or purge messages in the poison queue',
  usage: `usage: entra-gogs-sync poison list [--json]
       entra-gogs-sync poison retry [--id ID]...
       entra-gogs-sync poison purge

list peeks at up to 32 poison messages (kind, object, attempts, last error) with the depth;
retry sends the given messages (all without --id) back to graph-changes with a fresh retry
horizon; purge drops them all (a reconcile repairs what they carried). Exit 0, 1 on failure.`,
  options: { id: { type: 'string', multiple: true } },
  run: async (ctx) => {
    const [sub = 'list', ...extra] = ctx.args;
    if (extra.length > 0) throw new UsageError('poison takes ids as --id ID');
    if (!['list', 'retry', 'purge'].includes(sub))
      throw new UsageError(`poison: unknown subcommand ${sub}; use list, retry or purge`);
    const backend = await ctx.backend();
    if (sub === 'list') {
      const body = okJson<{ depth?: number; messages?: Record<string, unknown>[] }>(
        await backend.call('GET', '/api/poison'),
        'listing poison messages',
      );
      if (ctx.json) ctx.out(JSON.stringify(body, null, 2));
      else {
        const messages = body.messages ?? [];
        ctx.out(`${String(body.depth ?? 0)} poison message(s)`);
        const rows = messages.map((m) => {
          const msg = (m.message ?? {}) as {
            kind?: string;
            objectId?: string;
            attempt?: number;
            poison?: { reason?: string };
          };
          return [
            m.messageId,
            msg.kind ?? 'unparsable',
            msg.objectId ?? '',
            msg.attempt ?? '',
            msg.poison?.reason ?? m.problem ?? '',
          ];
        });
        if (rows.length > 0) ctx.out(table(['id', 'kind', 'object', 'attempt', 'reason'], rows));
      }
      return EXIT.ok;
    }
    if (sub !== 'retry' && sub !== 'purge')
      throw new UsageError(`poison: unknown subcommand ${sub}; use list, retry or purge`);
    const ids = ctx.values.id as string[] | undefined;
    if (sub === 'purge' && ids) throw new UsageError('poison purge drops every message; it takes no --id');
    const body = okJson(
      await backend.call('POST', `/api/poison/${sub}`, sub === 'retry' && ids ? { ids } : {}),
      `poison ${sub}`,
    );
    ctx.out(ctx.json ? JSON.stringify(body, null, 2) : `poison ${sub}: ${JSON.stringify(body)}`);
    return EXIT.ok;
  },
};
