import { okJson } from '../backend.js';
import { EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { stringOption } from '../command.js';

/** `pause` and `resume`: the same switch (POST /api/pause|resume), audited with the operator. */
export function pauseCommand(paused: boolean): Command {
  const name = paused ? 'pause' : 'resume';
  return {
    name,
    summary: paused ? 'stop applying changes (notifications still queue)' : 'apply changes again',
    usage: paused
      ? `usage: entra-gogs-sync pause [--reason TEXT]

Stops applying changes: notifications are still accepted and queued, timers still run, nothing is
written to Gogs until \`resume\`. Exit 0, 1 on failure.`
      : `usage: entra-gogs-sync resume

Applies changes again, starting with what queued while paused. Exit 0, 1 on failure.`,
    ...(paused ? { options: { reason: { type: 'string' as const } } } : {}),
    run: async (ctx) => {
      if (ctx.args.length > 0) throw new UsageError(`${name} takes no arguments`);
      const reason = stringOption(ctx.values, 'reason');
      const state = okJson<{ paused: boolean; by?: string; reason?: string }>(
        await (await ctx.backend()).call('POST', `/api/${name}`, reason ? { reason } : {}),
        name,
      );
      ctx.out(
        ctx.json
          ? JSON.stringify(state, null, 2)
          : state.paused
            ? `paused${state.reason ? ` (${state.reason})` : ''}`
            : 'running',
      );
      return EXIT.ok;
    },
  };
}
