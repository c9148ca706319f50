import { z } from 'zod';
import type { AuditRecord, PauseState } from '../../state/index.js';
import { type ApiResult, ok } from './apiResult.js';
import { parseBody } from './requestBody.js';

export const PauseBodySchema = z.strictObject({ reason: z.string().max(500).optional() });

export interface PauseDeps {
  pause(by: string, at: number, reason?: string): Promise<void>;
  resume(by: string, at: number): Promise<void>;
  pauseState(): Promise<PauseState>;
  audit(records: AuditRecord[]): Promise<void>;
  now: number;
  by: string;
}

/**
 * `POST /api/pause` `{reason?}` and `POST /api/resume`: while paused the worker applies nothing
 * (messages wait); both are idempotent and audited. Answers the new pause state.
 */
export async function setPaused(paused: boolean, bodyText: string, deps: PauseDeps): Promise<ApiResult> {
  const body = parseBody(bodyText, PauseBodySchema);
  if (!body.ok) return body.result;
  const reason = body.value.reason;
  if (paused) await deps.pause(deps.by, deps.now, reason);
  else await deps.resume(deps.by, deps.now);
  await deps.audit([
    {
      type: 'event',
      kind: paused ? 'paused' : 'resumed',
      status: 'done',
      appliedAt: deps.now,
      actor: deps.by,
      ...(reason ? { reason } : {}),
    },
  ]);
  return ok(await deps.pauseState());
}
