import type { DeltaChange, DeltaKind, DeltaStart } from '../../graph/index.js';
import { type ChangeMessage, RunStore } from '../../state/index.js';
import { queueDepths, runCompleted } from '../telemetry.js';
import { enqueueFollowUp, type FlowContext, type FlowResult, type FollowUpInput } from './flowContext.js';
import { GogsHealth } from './gogsHealth.js';
import { checkMapping } from './mappingWatch.js';

export type CatchUpMessage = Extract<ChangeMessage, { kind: 'catchUp' }>;

/** `settings` row with the time of the last successful catch-up, for `status` and the watchdog. */
export const LAST_CATCH_UP = 'lastCatchUp';
export const CATCH_UP_LEASE = 'catchUp';

const STREAMS: { kind: DeltaKind; resource: string }[] = [
  { kind: 'user', resource: 'users' },
  { kind: 'group', resource: 'groups' },
];

/**
 * Catch-up (DESIGN §3.3): read `users/delta` and `groups/delta` from the stored cursors and
 * enqueue every changed id exactly like a notification. With no cursor yet, or an expired one,
 * delta restarts from `$deltatoken=latest` and a full reconcile covers what came before.
 */
export async function catchUpFlow(ctx: FlowContext<CatchUpMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const runId = message.runId ?? RunStore.newId(app.clock.now());
  // One round at a time: two would enqueue every change twice (harmless, but twice the work).
  return app.stores.sync.leases.withLease(CATCH_UP_LEASE, async () => {
    const startedAt = app.clock.now();
    const log = app.log ?? console;
    const completed = (outcome: 'succeeded' | 'failed', actions: number) =>
      runCompleted(log, {
        kind: 'catchUp',
        runId,
        outcome,
        durationMs: app.clock.now() - startedAt,
        actions,
      });
    await app.stores.runs.start({ id: runId, kind: 'catchUp', startedAt });
    await reportQueueDepth(ctx);
    try {
      const counts = await catchUp(ctx);
      await app.stores.runs.finish(runId, { status: 'succeeded', finishedAt: app.clock.now(), counts });
      completed(
        'succeeded',
        Object.values(counts).reduce((sum, n) => sum + n, 0),
      );
      await probeGogs(ctx);
      return { status: 'done' as const, counts, runId };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await app.stores.runs.finish(runId, { status: 'failed', finishedAt: app.clock.now(), error: reason });
      completed('failed', 0);
      throw error;
    }
  });
}

/** `sync.queueDepth` for both queues (the poison alert reads it); a failed read only goes unreported. */
async function reportQueueDepth(ctx: FlowContext<CatchUpMessage>): Promise<void> {
  const { queue } = ctx.app.stores;
  if (!queue.depth) return;
  try {
    queueDepths(ctx.app.log ?? console, await queue.depth());
  } catch {
    // The next catch-up or GET /api/status reports it.
  }
}

/**
 * One cheap Gogs read per catch-up, so an idle sync still notices Gogs failing (and recovering):
 * the token owner's account, never a write. Its failure never fails the catch-up.
 */
async function probeGogs(ctx: FlowContext<CatchUpMessage>): Promise<void> {
  const health = new GogsHealth(ctx.app);
  try {
    await ctx.app.gogs.getAccount(await ctx.app.gogs.tokenOwner());
  } catch (error) {
    await health.failed(error).catch(() => undefined);
    return;
  }
  await health.succeeded(ctx).catch(() => false);
}

async function catchUp(ctx: FlowContext<CatchUpMessage>): Promise<Record<string, number>> {
  const { app } = ctx;
  const counts: Record<string, number> = {};
  const reconcileBecause: string[] = [];
  // The catch-up timer is also the one that notices a changed SYNC_MAPPING (DESIGN §5).
  await checkMapping(ctx);
  for (const { kind, resource } of STREAMS) {
    const cursor = await app.stores.cursors.get(resource);
    const start: DeltaStart = cursor ? { deltaLink: cursor.deltaLink } : { from: 'latest' };
    let round = await app.delta.readRound(kind, start);
    if (round.expired) {
      reconcileBecause.push(`the ${resource} delta cursor expired (${round.code})`);
      await app.stores.cursors.remove(resource);
      round = await app.delta.readRound(kind, { from: 'latest' });
      if (round.expired) throw new Error(`${resource}/delta refused $deltatoken=latest: ${round.code}`);
      await app.stores.cursors.put(resource, round.deltaLink, app.clock.now());
      continue;
    }
    if (!cursor) reconcileBecause.push(`no ${resource} delta cursor yet`);
    for (const change of round.changes) await enqueueFollowUp(ctx, asMessage(change));
    counts[resource] = round.changes.length;
    // With the ETag read: a concurrent catch-up that moved the cursor makes this one retry.
    await app.stores.cursors.put(resource, round.deltaLink, app.clock.now(), cursor?.etag);
  }
  if (reconcileBecause.length > 0) {
    await enqueueFollowUp(ctx, { kind: 'reconcile', reason: reconcileBecause.join('; ').slice(0, 1_000) });
  }
  await app.stores.settings.set(LAST_CATCH_UP, { at: app.clock.now(), counts });
  return counts;
}

function asMessage(change: DeltaChange): FollowUpInput {
  if (change.kind === 'user') {
    return {
      kind: 'user',
      objectId: change.id,
      source: 'catchUp',
      ...(change.removed ? { removed: change.removed } : {}),
    };
  }
  return {
    kind: 'group',
    objectId: change.id,
    source: 'catchUp',
    ...(change.members.length > 0
      ? { membersDelta: change.members.map((m) => ({ id: m.id, ...(m.removed ? { removed: true } : {}) })) }
      : {}),
  };
}
