import { z } from 'zod';
import type { Action, Outcome } from '../../domain/actions.js';
import type { ObjectKey } from '../../domain/types.js';
import {
  type AuditRecord,
  auditRecordOfOutcome,
  type HeldRecord,
  type HeldStatus,
} from '../../state/index.js';
import type { HeldAction } from '../../sync/ports.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

export const HeldDecisionSchema = z.strictObject({
  id: z.string().min(1).max(1_000),
  decision: z.enum(['approve', 'reject']),
  note: z.string().max(1_000).optional(),
});
export type HeldDecision = z.infer<typeof HeldDecisionSchema>;

export interface HeldDeps {
  get(id: string): Promise<HeldRecord | undefined>;
  list(filter: { status?: HeldStatus }): Promise<HeldRecord[]>;
  approve(id: string, by: string, at: number, note?: string): Promise<HeldRecord>;
  reject(id: string, by: string, at: number, note?: string): Promise<HeldRecord>;
  /** Holds again (after a failed apply): the row waits for a new decision. */
  hold(held: HeldAction): Promise<void>;
  lastEventAt(key: ObjectKey): Promise<number | undefined>;
  /** Applies one approved action through `applyPlan` (fence and lease included, budget waived). */
  apply(action: Action): Promise<Outcome>;
  /** Asks the worker for a fresh plan of one object. */
  requeue(key: ObjectKey): Promise<void>;
  audit(records: AuditRecord[]): Promise<void>;
  /** Why nothing may be applied now (paused, DRY_RUN), if so. */
  blocked(): Promise<string | undefined>;
  now: number;
  by: string;
}

const STATUSES = ['held', 'approved', 'rejected'] as const;

/** `GET /api/held?status=held|approved|rejected|all` (default `held`), oldest first. */
export async function listHeld(params: URLSearchParams, deps: Pick<HeldDeps, 'list'>): Promise<ApiResult> {
  const wanted = params.get('status') ?? 'held';
  if (wanted !== 'all' && !STATUSES.some((s) => s === wanted)) {
    return apiError(400, 'badRequest', 'status must be held, approved, rejected or all');
  }
  const held = await deps.list(wanted === 'all' ? {} : { status: wanted as HeldStatus });
  return ok({ count: held.length, held });
}

/** `GET /api/held/{id}`: one held action with its decision, if any. */
export async function showHeld(id: string, deps: Pick<HeldDeps, 'get'>): Promise<ApiResult> {
  const record = await deps.get(id);
  return record ? ok(record) : apiError(404, 'notFound', `no held action ${id}`);
}

/**
 * An operator's decision on a held action (DESIGN §3.3).
 * - reject: recorded (once, with the row's ETag) and audited. If Entra still wants the change, a
 *   later plan proposes it again, and it is held again while the budget is spent.
 * - approve: first the action's fence. If an object it rests on changed after its snapshot, the
 *   action is stale: it is closed as rejected (`superseded`), the object is re-planned and nothing
 *   is applied. Otherwise the approval is recorded and the action applied at once as a one-action
 *   plan through `applyPlan`, which takes the user's lease and checks the fence again; the
 *   operator's approval stands in for the deprovision budget. A failed apply holds the action again
 *   for a new decision (502, or 503 when retryable).
 * Every decision and outcome is in the audit with the operator as actor.
 */
export async function decideHeld(decision: HeldDecision, deps: HeldDeps): Promise<ApiResult> {
  const record = await deps.get(decision.id);
  if (!record) return apiError(404, 'notFound', `no held action ${decision.id}`);
  if (record.status !== 'held') {
    return apiError(409, 'conflict', `held action ${decision.id} was already ${record.status}`);
  }
  if (decision.decision === 'reject') {
    const rejected = await deps.reject(record.id, deps.by, deps.now, decision.note);
    await deps.audit([event(record, 'heldRejected', 'rejected', deps, decision.note)]);
    return ok({ held: rejected });
  }

  const blocked = await deps.blocked();
  if (blocked) return apiError(409, 'conflict', `${blocked}; the action stays held`);
  const action = withoutHold(record.action);
  const stale = await staleKey(action, deps);
  if (stale) {
    const detail = `${stale} changed after the snapshot; re-planned instead`;
    const closed = await deps.reject(record.id, deps.by, deps.now, `superseded: ${detail}`);
    await deps.requeue(action.fence[0] ?? stale);
    await deps.audit([event(record, 'heldSuperseded', 'superseded', deps, detail)]);
    return ok({ held: closed, outcome: { status: 'superseded', detail } });
  }

  const approved = await deps.approve(record.id, deps.by, deps.now, decision.note);
  const outcome = await deps.apply(action);
  await deps.audit([
    event(record, 'heldApproved', 'approved', deps, decision.note),
    {
      ...auditRecordOfOutcome(outcome, { cause: { type: 'operator', id: deps.by }, appliedAt: deps.now }),
      actor: deps.by,
    },
  ]);
  const summary = {
    status: outcome.status,
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.residual ? { residual: outcome.residual } : {}),
  };
  if (outcome.status === 'failed') {
    await deps.hold({
      id: record.id,
      action: record.action,
      heldAt: record.heldAt,
      because: record.because,
      cause: record.cause,
    });
    const retryable = outcome.error?.retryable === true;
    return {
      ...apiError(
        retryable ? 503 : 502,
        retryable ? 'unavailable' : 'applyFailed',
        `the approved action failed and is held again: ${outcome.error?.message ?? 'unknown error'}`,
      ),
      ...(retryable ? { headers: { 'retry-after': '30' } } : {}),
    };
  }
  return ok({ held: approved, outcome: summary });
}

/** The first fence key handled after the action's snapshot, if any (DESIGN §3.3). */
async function staleKey(action: Action, deps: Pick<HeldDeps, 'lastEventAt'>): Promise<ObjectKey | undefined> {
  for (const key of action.fence) {
    const last = await deps.lastEventAt(key);
    if (last !== undefined && last > action.snapshotAt) return key;
  }
  return undefined;
}

/** An approved removal from a suspect read must not be held again for the same reason. */
function withoutHold(action: Action): Action {
  if (!('hold' in action)) return action;
  const { hold: _hold, ...rest } = action;
  return rest as Action;
}

function event(
  record: HeldRecord,
  kind: string,
  status: string,
  deps: Pick<HeldDeps, 'now' | 'by'>,
  note?: string,
): AuditRecord {
  const action = record.action;
  return {
    type: 'event',
    kind,
    status,
    appliedAt: deps.now,
    actor: deps.by,
    detail: `${record.id} (${action.kind}, held because ${record.because}, cause ${record.cause})`,
    ...('objectId' in action ? { objectId: action.objectId, username: action.username } : {}),
    ...('team' in action
      ? { target: `${action.org}/${action.team}` }
      : 'org' in action
        ? { target: action.org }
        : {}),
    ...(note ? { reason: note } : {}),
  };
}
