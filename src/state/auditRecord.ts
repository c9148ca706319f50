import { z } from 'zod';
import type { Cause, Outcome } from '../domain/actions.js';

/**
 * One audit record (DESIGN §1.5, §4): an action outcome, a run, or another event the auditor
 * needs (a held action approved, a subscription taken over). Latency is `appliedAt − receivedAt`,
 * and `appliedAt − eventTime` when Graph sent an event time.
 */
export const AuditRecordSchema = z.object({
  type: z.enum(['action', 'run', 'event']),
  /** Action kind, run kind or event name (`heldApproved`, `subscriptionTakenOver`, …). */
  kind: z.string().min(1),
  /** Outcome status, run status or event result. */
  status: z.string().min(1),
  /** When it happened (epoch ms); it decides the day partition and the blob. */
  appliedAt: z.number(),
  objectId: z.string().optional(),
  username: z.string().optional(),
  /** `org/team` for team actions, the subscription id for subscription events. */
  target: z.string().optional(),
  reason: z.string().optional(),
  cause: z.object({ type: z.string(), id: z.string() }).optional(),
  runId: z.string().optional(),
  receivedAt: z.number().optional(),
  eventTime: z.number().optional(),
  latencyMs: z.number().optional(),
  eventLatencyMs: z.number().optional(),
  detail: z.string().optional(),
  error: z.object({ message: z.string(), retryable: z.boolean() }).optional(),
  residual: z.unknown().optional(),
  counts: z.record(z.string(), z.number()).optional(),
  dryRun: z.boolean().optional(),
  actor: z.string().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecordSchema>;

/** A stored record with its row key (time-sortable, unique). */
export type AuditEntry = AuditRecord & { id: string };

export interface OutcomeContext {
  cause: Cause;
  appliedAt: number;
  receivedAt?: number;
  eventTime?: number;
  runId?: string;
}

/** The audit record of one action outcome. */
export function auditRecordOfOutcome(outcome: Outcome, context: OutcomeContext): AuditRecord {
  const { action } = outcome;
  return {
    type: 'action',
    kind: action.kind,
    status: outcome.status,
    appliedAt: context.appliedAt,
    reason: action.reason,
    cause: { type: context.cause.type, id: context.cause.id },
    ...('objectId' in action ? { objectId: action.objectId, username: action.username } : {}),
    ...('team' in action
      ? { target: `${action.org}/${action.team}` }
      : 'org' in action
        ? { target: action.org }
        : {}),
    ...(context.runId ? { runId: context.runId } : {}),
    ...(context.receivedAt === undefined
      ? {}
      : { receivedAt: context.receivedAt, latencyMs: context.appliedAt - context.receivedAt }),
    ...(context.eventTime === undefined
      ? {}
      : { eventTime: context.eventTime, eventLatencyMs: context.appliedAt - context.eventTime }),
    ...(outcome.detail ? { detail: outcome.detail } : {}),
    ...(outcome.error ? { error: outcome.error } : {}),
    ...(outcome.residual ? { residual: outcome.residual } : {}),
  };
}
