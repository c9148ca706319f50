import { z } from 'zod';
import type { ApiResult } from './apiResult.js';
import { parseBody } from './requestBody.js';
import { type RunRequestDeps, requestRun } from './runRequests.js';

export const ReconcileBodySchema = z.strictObject({ dryRun: z.boolean().optional() });

/**
 * `POST /api/reconcile` `{dryRun?}` → 202 `{runId}`: one `reconcile` message with that run id; a
 * dry run stores its plan in the run (`GET /api/runs/{id}`).
 */
export async function requestReconcile(bodyText: string, deps: RunRequestDeps): Promise<ApiResult> {
  const body = parseBody(bodyText, ReconcileBodySchema);
  if (!body.ok) return body.result;
  const dryRun = body.value.dryRun ?? false;
  return requestRun(
    { kind: 'reconcile', dryRun },
    (runId) => ({
      kind: 'reconcile',
      runId,
      dryRun,
      requestedBy: deps.by,
      reason: 'requested over the admin API',
      receivedAt: deps.now,
    }),
    deps,
  );
}
