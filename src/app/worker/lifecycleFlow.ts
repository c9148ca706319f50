import type { ChangeMessage } from '../../state/index.js';
import { enqueueFollowUp, type FlowContext, type FlowResult } from './flowContext.js';

export type LifecycleMessage = Extract<ChangeMessage, { kind: 'lifecycle' }>;

/**
 * Lifecycle events (DESIGN §3.1): `reauthorizationRequired` → renew that subscription;
 * `subscriptionRemoved`, `missed` or anything unknown → renew (ensure recreates what is gone) and
 * catch up on what the gap lost.
 */
export async function lifecycleFlow(ctx: FlowContext<LifecycleMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const event = message.lifecycleEvent;
  const reason = `lifecycle ${event} for ${message.subscriptionId}`.slice(0, 1_000);
  await app.stores.audit.write([
    {
      type: 'event',
      kind: 'subscriptionLifecycle',
      status: event,
      appliedAt: app.clock.now(),
      target: message.subscriptionId,
      receivedAt: message.receivedAt,
      cause: ctx.cause,
    },
  ]);
  await enqueueFollowUp(ctx, {
    kind: 'renew',
    mode: 'ensure',
    subscriptionId: message.subscriptionId,
    reason,
  });
  if (event === 'reauthorizationRequired') return { status: 'done', reason: 'renew enqueued' };
  await enqueueFollowUp(ctx, { kind: 'catchUp', reason });
  return { status: 'done', reason: 'renew and catch-up enqueued' };
}
