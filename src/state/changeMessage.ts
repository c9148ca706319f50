import { z } from 'zod';
import { formatPath } from '../config/index.js';
import { isGuid } from '../config/primitives.js';
import { InvalidMessageError } from './errors.js';

const ObjectIdSchema = z
  .string()
  .refine(isGuid, { message: 'must be a GUID object id' })
  .transform((id) => id.toLowerCase());
const Text = z.string().min(1).max(1_000);
const EpochMs = z.number().int().nonnegative();

/** Where a user or group message comes from; it becomes the `Cause` of the plan (src/domain/actions.ts). */
export const MessageSourceSchema = z.enum(['notification', 'catchUp', 'recheck', 'reconcile', 'operator']);

/** Fields every message carries (DESIGN §4). */
const base = {
  /** 0 on first delivery; retries re-enqueue a copy with `attempt + 1` (DESIGN §3.2). */
  attempt: z.number().int().nonnegative().default(0),
  /** When the change first reached us (epoch ms); kept by retries, so audit latency is end to end. */
  receivedAt: EpochMs,
  /** When Graph says the change happened, if it said. */
  eventTime: EpochMs.optional(),
  /** Set by a re-drive from the poison queue: `RETRY_HORIZON` counts from here instead. */
  redrivenAt: EpochMs.optional(),
  /** The id the audit links outcomes to; the worker sets it from the first message id and retries keep it. */
  causeId: Text.optional(),
  /** Why the message was poisoned, when it sits in the poison queue. */
  poison: z.object({ at: EpochMs, reason: z.string().max(2_000) }).optional(),
};

const objectChange = {
  objectId: ObjectIdSchema,
  source: MessageSourceSchema.default('notification'),
  changeType: z.enum(['created', 'updated', 'deleted']).optional(),
  subscriptionId: Text.optional(),
};

/**
 * A `members@delta` item of a /groups notification (observed, not documented: DESIGN §3.1). Only
 * a hint for a later fast path; the worker always re-reads the group.
 */
export const MemberDeltaSchema = z.object({ id: z.string().max(100), removed: z.boolean().optional() });

export const ChangeMessageSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('user'),
    ...base,
    ...objectChange,
    /** A delta `@removed.reason`: only `deleted` confirms a hard delete (DESIGN §3.2). */
    removed: z.enum(['deleted', 'changed']).optional(),
  }),
  z.object({
    kind: z.literal('group'),
    ...base,
    ...objectChange,
    membersDelta: z.array(MemberDeltaSchema).optional(),
    /** `membersDelta` was dropped to keep the message under the queue limit. */
    truncated: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('reconcile'),
    ...base,
    runId: Text.optional(),
    dryRun: z.boolean().optional(),
    /** Formerly managed teams an operator asked to drain of managed members (DESIGN §5). */
    drainTeams: z
      .array(z.object({ org: Text, team: Text }))
      .max(50)
      .optional(),
    requestedBy: Text.optional(),
    reason: Text.optional(),
  }),
  z.object({ kind: z.literal('catchUp'), ...base, runId: Text.optional(), reason: Text.optional() }),
  z.object({
    kind: z.literal('reassert'),
    ...base,
    runId: Text.optional(),
    reason: Text.optional(),
    /**
     * A continuation resumes here: a re-assertion plans every user each time, so without it a pass
     * longer than one run would redo the same users and never reach the rest.
     */
    resumeAt: Text.optional(),
  }),
  z.object({
    kind: z.literal('renew'),
    ...base,
    /** `ensure`: renew or create each subscription; `rotate`: recreate with the new clientState. */
    mode: z.enum(['ensure', 'rotate']).default('ensure'),
    /** Set when the admin API queued the run and answered its id. */
    runId: Text.optional(),
    subscriptionId: Text.optional(),
    reason: Text.optional(),
    requestedBy: Text.optional(),
  }),
  z.object({
    kind: z.literal('lifecycle'),
    ...base,
    subscriptionId: Text,
    /** `reauthorizationRequired`, `subscriptionRemoved`, `missed` (DESIGN §3.1). */
    lifecycleEvent: Text,
  }),
]);

export type ChangeMessage = z.infer<typeof ChangeMessageSchema>;
/** What producers pass: defaults (`attempt`, `source`, `mode`) may be left out. */
export type ChangeMessageInput = z.input<typeof ChangeMessageSchema>;
export type ChangeKind = ChangeMessage['kind'];

/**
 * Parses a queue message body: the JSON text (host.json `messageEncoding: none`) or the value the
 * Functions host already parsed. Throws `InvalidMessageError` naming the failing path.
 */
export function parseChangeMessage(input: unknown): ChangeMessage {
  let value = input;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    try {
      value = JSON.parse(input.toString());
    } catch (error) {
      throw new InvalidMessageError('message: is not JSON', { cause: error });
    }
  }
  const result = ChangeMessageSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${formatPath(['message', ...issue.path])}: ${issue.message}`,
  );
  throw new InvalidMessageError(problems.join('; '));
}
