import type { SubscriptionOutcome } from '../../graph/index.js';
import type { ChangeMessage } from '../../state/index.js';
import { runCompleted, subscriptionState } from '../telemetry.js';
import { enqueueFollowUp, type FlowContext, type FlowResult } from './flowContext.js';

export type RenewMessage = Extract<ChangeMessage, { kind: 'renew' }>;

export const RENEW_LEASE = 'subscriptions';

/**
 * Subscriptions (DESIGN §3.4): ensure (renew or create) or rotate, one run at a time. A subscription
 * taken over, rotated or recreated may have missed notifications: a catch-up recovers them.
 */
export async function renewFlow(ctx: FlowContext<RenewMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const { runId } = message;
  const startedAt = app.clock.now();
  const log = app.log ?? console;
  const completed = (outcome: 'succeeded' | 'failed', actions: number) =>
    runCompleted(log, {
      kind: 'renew',
      runId: runId ?? null,
      outcome,
      durationMs: app.clock.now() - startedAt,
      actions,
    });
  if (runId)
    await app.stores.runs.start({
      id: runId,
      kind: 'renew',
      startedAt,
      ...requested(message),
    });
  let outcomes: SubscriptionOutcome[];
  try {
    outcomes = await app.stores.sync.leases.withLease(RENEW_LEASE, () =>
      message.mode === 'rotate' ? app.subscriptions.rotate() : app.subscriptions.ensure(),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (runId)
      await app.stores.runs.finish(runId, { status: 'failed', finishedAt: app.clock.now(), error: reason });
    completed('failed', 0);
    throw error;
  }
  const at = app.clock.now();
  await app.stores.audit.write(
    outcomes.map((o) => ({
      type: 'event' as const,
      kind: `subscription${o.outcome[0]?.toUpperCase()}${o.outcome.slice(1)}`,
      status: 'applied',
      appliedAt: at,
      target: o.id,
      detail: `${o.resource} until ${o.expirationDateTime}${'replacedId' in o ? `, replacing ${o.replacedId}` : ''}`,
      cause: ctx.cause,
      ...(message.reason ? { reason: message.reason } : {}),
      ...(message.requestedBy ? { actor: message.requestedBy } : {}),
    })),
  );
  if (outcomes.some(mayHaveMissedChanges)) {
    await enqueueFollowUp(ctx, { kind: 'catchUp', reason: 'a subscription was replaced' });
  }
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.outcome] = (counts[o.outcome] ?? 0) + 1;
  if (runId) await app.stores.runs.finish(runId, { status: 'succeeded', finishedAt: at, counts });
  completed('succeeded', outcomes.length);
  for (const o of outcomes) {
    const resource = o.resource.replace(/^\//, '').toLowerCase();
    if (resource !== 'users' && resource !== 'groups') continue;
    const expiresAt = new Date(o.expirationDateTime);
    subscriptionState(log, {
      resource,
      subscriptionId: o.id,
      expiresAt: Number.isNaN(expiresAt.getTime()) ? null : expiresAt.toISOString(),
    });
  }
  return { status: 'done', counts, ...(runId ? { runId } : {}) };
}

function requested(message: RenewMessage) {
  return message.requestedBy ? { requestedBy: message.requestedBy } : {};
}

function mayHaveMissedChanges(outcome: SubscriptionOutcome): boolean {
  return outcome.outcome === 'takenOver' || outcome.outcome === 'rotated' || outcome.outcome === 'recreated';
}
