import { userKey } from '../../domain/types.js';
import type { ChangeMessage } from '../../state/index.js';
import { enqueueFollowUp, type FlowContext, type FlowResult, isFirstDelivery } from './flowContext.js';
import { countStatuses, throwIfRetryable } from './recordOutcomes.js';
import { syncUser } from './syncUser.js';

export type UserMessage = Extract<ChangeMessage, { kind: 'user' }>;

/**
 * A user changed (DESIGN §3.2): cheap filtering first, then one plan for that user, then one
 * re-check after RECHECK_DELAY to absorb Graph's replication lag.
 */
export async function userFlow(ctx: FlowContext<UserMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const { objectId } = message;
  // Re-checks and operator syncs always read; hints from Graph may be filtered.
  const hint = message.source === 'notification' || message.source === 'catchUp';
  if (hint && app.policy.scope === 'mappedGroups' && !(await app.stores.sync.getIdentity(objectId))) {
    // A user entering scope arrives as a group change; an unknown id costs no Graph call.
    return { status: 'skipped', reason: 'not a managed identity (scope: mappedGroups)' };
  }
  if (hint && isFirstDelivery(ctx)) {
    const last = await app.stores.sync.lastEventAt(userKey(objectId));
    if (last !== undefined && last > message.receivedAt) {
      return { status: 'skipped', reason: 'the user was handled after this change arrived' };
    }
  }
  const { outcomes } = await syncUser(ctx, objectId, {
    confirmedHardDelete: message.changeType === 'deleted' || message.removed === 'deleted',
    receivedAt: message.receivedAt,
    ...(message.eventTime === undefined ? {} : { eventTime: message.eventTime }),
  });
  throwIfRetryable(outcomes);
  if (message.source !== 'recheck') {
    await enqueueFollowUp(
      ctx,
      {
        kind: 'user',
        objectId,
        source: 'recheck',
        // The confirmation of a hard delete must survive into the re-check.
        ...(message.changeType ? { changeType: message.changeType } : {}),
        ...(message.removed ? { removed: message.removed } : {}),
      },
      app.config.timing.recheckDelayMs,
    );
  }
  return { status: 'done', counts: countStatuses(outcomes) };
}
