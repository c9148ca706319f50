import { flowContext } from '../../app/worker/flowContext.js';
import { syncUser } from '../../app/worker/syncUser.js';
import { isGuid } from '../../config/primitives.js';
import { parseChangeMessage } from '../../state/index.js';
import { type Backend, okJson } from '../backend.js';
import { EXIT, UsageError } from '../cliIo.js';
import type { Command, CommandContext } from '../command.js';
import { stringOption } from '../command.js';
import { table } from '../format.js';
import { refuseWhilePaused } from '../pauseGuard.js';

interface Line {
  kind: string;
  status: string;
  target?: string;
  reason?: string;
  detail?: string;
}

export const syncUserCommand: Command = {
  name: 'sync-user',
  summary: 'plan and apply one user now (like provision-on-demand)',
  usage: `usage: entra-gogs-sync sync-user <upn|objectId> [--wait SECONDS] [--json]

Re-reads one user in Entra and Gogs, plans and applies for that user only, and prints each action
with its outcome. A UPN is resolved to the object id through Graph (remote: GET
/api/directory/users/{upn}). --remote asks the app (POST /api/users/{objectId}/sync) and follows
the audit for the outcome for up to --wait seconds (default 20); no records means nothing to do.
Exit 0, 1 when an action failed, 3 when one was held by the deprovision budget or the sync is paused.`,
  options: { wait: { type: 'string' } },
  run: async (ctx) => {
    const who = ctx.args[0];
    if (!who || ctx.args.length > 1) throw new UsageError('sync-user takes one user: a UPN or an object id');
    if (!isGuid(who) && !who.includes('@'))
      throw new UsageError(`${who} is neither a UPN (name@domain) nor an object id`);
    const backend = await ctx.backend();
    await refuseWhilePaused(backend, 'sync-user');
    const objectId = await resolveUser(backend, who);
    const lines = backend.app ? await syncLocal(ctx, objectId) : await syncRemote(ctx, backend, objectId);
    if (ctx.json) ctx.out(JSON.stringify({ objectId, count: lines.length, outcomes: lines }, null, 2));
    else if (lines.length === 0) ctx.out(`${who} (${objectId}): nothing to do, Gogs is in step`);
    else {
      ctx.out(`${who} (${objectId}):`);
      ctx.out(
        table(
          ['action', 'outcome', 'target', 'reason'],
          lines.map((l) => [l.kind, l.status, l.target ?? '', l.detail ?? l.reason ?? '']),
        ),
      );
    }
    if (lines.some((l) => l.status === 'failed')) return EXIT.failed;
    return lines.some((l) => l.status === 'held') ? EXIT.held : EXIT.ok;
  },
};

async function resolveUser(backend: Backend, who: string): Promise<string> {
  if (isGuid(who)) return who.toLowerCase();
  const found = okJson<{ objectId: string }>(
    await backend.call('GET', `/api/directory/users/${encodeURIComponent(who)}`),
    `looking up ${who}`,
  );
  return found.objectId;
}

async function syncLocal(ctx: CommandContext, objectId: string): Promise<Line[]> {
  const app = (await ctx.backend()).app;
  if (!app) return [];
  const now = app.clock.now();
  const message = parseChangeMessage({
    kind: 'user',
    objectId,
    source: 'operator',
    causeId: `operator-cli-${now}`,
    receivedAt: now,
  });
  const flow = flowContext(app, message, { messageId: `cli-${now}`, dequeueCount: 1 });
  const { outcomes } = await syncUser(flow, objectId, { confirmedHardDelete: false, receivedAt: now });
  return outcomes.map((o) => ({
    kind: o.action.kind,
    status: o.status,
    ...('team' in o.action
      ? { target: `${o.action.org}/${o.action.team}` }
      : 'org' in o.action
        ? { target: o.action.org }
        : {}),
    reason: o.action.reason,
    ...(o.error ? { detail: o.error.message } : o.detail ? { detail: o.detail } : {}),
  }));
}

async function syncRemote(ctx: CommandContext, backend: Backend, objectId: string): Promise<Line[]> {
  const waitText = stringOption(ctx.values, 'wait') ?? '20';
  const waitS = Number(waitText);
  if (!Number.isFinite(waitS) || waitS < 0) throw new UsageError('--wait must be a number of seconds');
  const accepted = okJson<{ causeId: string; acceptedAt: string }>(
    await backend.call('POST', `/api/users/${objectId}/sync`, {}),
    'sync-user',
  );
  const since = Date.parse(accepted.acceptedAt);
  const deadline = Date.now() + waitS * 1000;
  let lines: Line[] = [];
  let stable = 0;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const audit = okJson<{ records: (Line & { cause?: { id: string }; type: string })[] }>(
      await backend.call('GET', `/api/audit?user=${objectId}&since=${since}&format=json`),
      'reading the audit',
    );
    const mine = audit.records.filter((r) => r.type === 'action' && r.cause?.id === accepted.causeId);
    stable = mine.length > 0 && mine.length === lines.length ? stable + 1 : 0;
    lines = mine.map(({ kind, status, target, reason, detail }) => ({
      kind,
      status,
      ...(target ? { target } : {}),
      ...(reason ? { reason } : {}),
      ...(detail ? { detail } : {}),
    }));
    if (stable >= 2) break;
  }
  return lines;
}
