import type { DeltaChange, DeltaKind, DeltaStart } from '../../graph/index.js';
import { type ChangeMessage, RunStore } from '../../state/index.js';
import { enqueueFollowUp, type FlowContext, type FlowResult, type FollowUpInput } from './flowContext.js';

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
    await app.stores.runs.start({ id: runId, kind: 'catchUp', startedAt: app.clock.now() });
    try {
      const counts = await catchUp(ctx);
      await app.stores.runs.finish(runId, { status: 'succeeded', finishedAt: app.clock.now(), counts });
      return { status: 'done' as const, counts, runId };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await app.stores.runs.finish(runId, { status: 'failed', finishedAt: app.clock.now(), error: reason });
      throw error;
    }
  });
}

async function catchUp(ctx: FlowContext<CatchUpMessage>): Promise<Record<string, number>> {
  const { app } = ctx;
  const counts: Record<string, number> = {};
  const reconcileBecause: string[] = [];
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
