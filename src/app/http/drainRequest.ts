import { z } from 'zod';
import type { ApiResult } from './apiResult.js';
import { parseBody } from './requestBody.js';
import { type RunRequestDeps, requestRun } from './runRequests.js';

export const DrainBodySchema = z.strictObject({
  teams: z
    .array(z.strictObject({ org: z.string().min(1).max(100), team: z.string().min(1).max(100) }))
    .min(1)
    .max(50),
  dryRun: z.boolean().optional(),
});

/**
 * `POST /api/teams/drain` `{teams: [{org, team}], dryRun?}` → 202 `{runId}` (DESIGN §5): a team that
 * left SYNC_MAPPING is only reported as formerly managed; this is the operator's explicit request
 * to take the bridge's users out of it. It runs as a reconcile that also plans those removals
 * (fenced, and drawn from the deprovision budget like any removal); teams still mapped are ignored.
 */
export async function requestDrain(bodyText: string, deps: RunRequestDeps): Promise<ApiResult> {
  const body = parseBody(bodyText, DrainBodySchema);
  if (!body.ok) return body.result;
  const { teams, dryRun = false } = body.value;
  return requestRun(
    { kind: 'reconcile', dryRun },
    (runId) => ({
      kind: 'reconcile',
      runId,
      dryRun,
      drainTeams: teams,
      requestedBy: deps.by,
      reason:
        `drain requested over the admin API: ${teams.map((t) => `${t.org}/${t.team}`).join(', ')}`.slice(
          0,
          1_000,
        ),
      receivedAt: deps.now,
    }),
    deps,
  );
}
