import type { SubscriptionRecord } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';
import { type RunRequestDeps, requestRun } from './runRequests.js';

export const SUBSCRIPTION_ACTIONS = ['ensure', 'rotate'] as const;
export type SubscriptionAction = (typeof SUBSCRIPTION_ACTIONS)[number];

/**
 * `POST /api/subscriptions/ensure|rotate` → 202 `{runId}`: one `renew` message (the run id as its
 * `causeId`). Only the app's own identity may create or renew subscriptions (DESIGN §3.4), so the
 * deploy hook calls `ensure` here rather than Graph. A rotation without GRAPH_CLIENT_STATE_PREVIOUS
 * drops notifications in the gap (catch-up recovers them): the answer warns.
 */
export async function requestSubscriptions(
  action: string,
  deps: RunRequestDeps & { previousClientStateSet: boolean },
): Promise<ApiResult> {
  const mode = SUBSCRIPTION_ACTIONS.find((a) => a === action);
  if (!mode) return apiError(404, 'notFound', `no subscriptions action ${action}; use ensure or rotate`);
  const warning =
    mode === 'rotate' && !deps.previousClientStateSet
      ? 'GRAPH_CLIENT_STATE_PREVIOUS is not set: notifications signed with the old clientState are dropped until the subscriptions are recreated (catch-up recovers them)'
      : undefined;
  return requestRun(
    { kind: 'renew' },
    (runId) => ({
      kind: 'renew',
      mode,
      runId,
      causeId: runId,
      requestedBy: deps.by,
      reason: `${mode} requested over the admin API`,
      receivedAt: deps.now,
    }),
    deps,
    { mode, ...(warning ? { warning } : {}) },
  );
}

/** `GET /api/subscriptions`: ours, with expiry (the clientState itself is never stored). */
export function listSubscriptions(records: readonly SubscriptionRecord[], now: number): ApiResult {
  return ok({
    subscriptions: records.map((record) => ({
      ...record,
      expiresAtIso: new Date(record.expiresAt).toISOString(),
      expiresInHours: Math.round(((record.expiresAt - now) / 3_600_000) * 10) / 10,
    })),
  });
}
