import { okJson } from '../backend.js';
import { EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { stringOption } from '../command.js';
import { iso, table } from '../format.js';

interface HeldRow {
  id: string;
  status: string;
  heldAt: number;
  because: string;
  cause: string;
  action: { kind: string; username?: string; reason?: string };
  decidedBy?: string;
  note?: string;
}

export const heldCommand: Command = {
  name: 'held',
  summary: 'list, approve or reject actions held by the deprovision guard',
  usage: `usage: entra-gogs-sync held list [--status held|approved|rejected|all] [--json]
       entra-gogs-sync held approve <id> [--note TEXT]
       entra-gogs-sync held reject <id> [--note TEXT]

Actions past the deprovision budget, or resting on a suspect group read, wait here (oldest first)
with why and the cause. An approval applies the action at once through the write path (fenced: a
changed object is re-planned instead); a rejection drops it. Every decision is audited.
Exit 0; 1 when the decision failed (unknown id, already decided, paused, the apply failed).`,
  options: { status: { type: 'string' }, note: { type: 'string' } },
  run: async (ctx) => {
    const [sub, id, ...extra] = ctx.args;
    if (sub !== undefined && sub !== 'list' && sub !== 'approve' && sub !== 'reject')
      throw new UsageError(`held: unknown subcommand ${sub}; use list, approve or reject`);
    if ((sub === 'approve' || sub === 'reject') && (!id || extra.length > 0))
      throw new UsageError(`held ${sub} takes one held action id (see \`held list\`)`);
    const backend = await ctx.backend();
    if (sub === 'list' || sub === undefined) {
      const status = stringOption(ctx.values, 'status') ?? 'held';
      const body = okJson<{ count: number; held: HeldRow[] }>(
        await backend.call('GET', `/api/held?status=${encodeURIComponent(status)}`),
        'listing held actions',
      );
      if (ctx.json) ctx.out(JSON.stringify(body, null, 2));
      else if (body.count === 0) ctx.out(`no ${status === 'all' ? '' : `${status} `}actions`);
      else
        ctx.out(
          table(
            ['id', 'status', 'held at', 'because', 'cause', 'user'],
            body.held.map((h) => [
              h.id,
              h.status,
              iso(h.heldAt),
              h.because,
              h.cause,
              h.action.username ?? '',
            ]),
          ),
        );
      return EXIT.ok;
    }
    if (!id) throw new UsageError('held needs an id');
    const note = stringOption(ctx.values, 'note');
    const body = okJson<{ held: HeldRow; outcome?: { status: string; detail?: string } }>(
      await backend.call('POST', '/api/held', { id, decision: sub, ...(note ? { note } : {}) }),
      `${sub === 'approve' ? 'approving' : 'rejecting'} ${id}`,
    );
    if (ctx.json) ctx.out(JSON.stringify(body, null, 2));
    else {
      const outcome = body.outcome
        ? `: ${body.outcome.status}${body.outcome.detail ? ` (${body.outcome.detail})` : ''}`
        : '';
      ctx.out(`${id} ${body.held.status}${outcome}`);
    }
    return body.outcome?.status === 'failed' ? EXIT.failed : EXIT.ok;
  },
};
