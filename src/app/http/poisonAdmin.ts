import { z } from 'zod';
import type { AuditRecord, PoisonEntry } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';
import { parseBody } from './requestBody.js';

export const PoisonRetrySchema = z.strictObject({
  ids: z.array(z.string().min(1).max(200)).max(1_000).optional(),
});
/** `POST /api/poison` with a body: the same two actions as the path form. */
export const PoisonActionSchema = z.strictObject({
  action: z.enum(['retry', 'purge']),
  ids: z.array(z.string().min(1).max(200)).max(1_000).optional(),
});

export interface PoisonDeps {
  list(limit: number): Promise<PoisonEntry[]>;
  redrive(ids?: readonly string[], at?: number): Promise<{ redriven: string[]; invalid: string[] }>;
  purge(): Promise<void>;
  depth(): Promise<{ changes: number; poison: number }>;
  audit(records: AuditRecord[]): Promise<void>;
  now: number;
  by: string;
}

/** `GET /api/poison?limit=N` (1-32, a peek: nothing is dequeued), with the approximate depth. */
export async function listPoison(params: URLSearchParams, deps: PoisonDeps): Promise<ApiResult> {
  const limit = Number(params.get('limit') ?? '32');
  if (!Number.isInteger(limit) || limit < 1 || limit > 32) {
    return apiError(
      400,
      'badRequest',
      'limit must be a whole number from 1 to 32 (a queue peek shows 32 at most)',
    );
  }
  const [messages, depth] = await Promise.all([deps.list(limit), deps.depth()]);
  return ok({
    depth: depth.poison,
    messages: messages.map((entry) => ({
      messageId: entry.messageId,
      insertedOn: entry.insertedOn?.toISOString(),
      dequeueCount: entry.dequeueCount,
      ...(entry.message
        ? { message: entry.message }
        : { problem: entry.problem, text: entry.text.slice(0, 2_000) }),
    })),
  });
}

/**
 * `POST /api/poison/retry` `{ids?}` (all without ids): moves messages back to the change queue with
 * a fresh retry horizon; ones that don't parse stay and are listed. `POST /api/poison/purge`
 * empties the poison queue. Both are audited with the operator.
 */
export async function actOnPoison(action: string, bodyText: string, deps: PoisonDeps): Promise<ApiResult> {
  if (action === 'retry') {
    const body = parseBody(bodyText, PoisonRetrySchema);
    if (!body.ok) return body.result;
    const result = await deps.redrive(body.value.ids, deps.now);
    const missing =
      body.value.ids?.filter((id) => !result.redriven.includes(id) && !result.invalid.includes(id)) ?? [];
    await deps.audit([
      poisonEvent(
        'poisonRetried',
        deps,
        `${result.redriven.length} re-driven, ${result.invalid.length} invalid`,
      ),
    ]);
    return ok({ ...result, notFound: missing });
  }
  if (action === 'purge') {
    const before = await deps.depth();
    await deps.purge();
    await deps.audit([poisonEvent('poisonPurged', deps, `about ${before.poison} message(s) removed`)]);
    return ok({ purged: before.poison });
  }
  return apiError(404, 'notFound', `no poison action ${action}; use retry or purge`);
}

/** The body form: `POST /api/poison` `{action: 'retry'|'purge', ids?}`. */
export async function actOnPoisonBody(bodyText: string, deps: PoisonDeps): Promise<ApiResult> {
  const body = parseBody(bodyText, PoisonActionSchema);
  if (!body.ok) return body.result;
  const { action, ids } = body.value;
  return actOnPoison(action, ids ? JSON.stringify({ ids }) : '', deps);
}

function poisonEvent(kind: string, deps: Pick<PoisonDeps, 'now' | 'by'>, detail: string): AuditRecord {
  return { type: 'event', kind, status: 'done', appliedAt: deps.now, actor: deps.by, detail };
}
