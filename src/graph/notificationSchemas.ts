import { z } from 'zod';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Graph date-times: 7 fractional digits and `Z`, `+00:00` or `-07:00` (spec §3). Kept as sent,
 * plus epoch milliseconds (a missing offset is read as UTC).
 */
const GraphDateTimeSchema = z
  .string()
  .regex(DATE_TIME, 'must be an ISO 8601 date-time')
  .transform((text, ctx) => {
    const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
    if (Number.isNaN(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be a valid date-time' });
      return z.NEVER;
    }
    return { text, ms };
  });

const NonEmpty = z.string().min(1);

const CHANGE_TYPES = ['created', 'updated', 'deleted'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number] | 'unknownFutureValue';

/** Case-insensitive; a value Graph adds later reads as `unknownFutureValue` rather than failing the batch. */
const ChangeTypeSchema = NonEmpty.transform((v): ChangeType => {
  const lower = v.toLowerCase();
  return CHANGE_TYPES.find((c) => c === lower) ?? 'unknownFutureValue';
});

const LIFECYCLE_EVENTS = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number] | 'unknownFutureValue';

// A 2020 beta page spelled `subscriptionRemoved` as `removed` (spec §4).
const LifecycleEventSchema = NonEmpty.transform((v): LifecycleEvent => {
  const lower = v.toLowerCase();
  if (lower === 'removed') return 'subscriptionRemoved';
  return LIFECYCLE_EVENTS.find((e) => e.toLowerCase() === lower) ?? 'unknownFutureValue';
});

/**
 * A `members@delta` entry: `{"id"}` added; removal marked `"@removed": "deleted"` (a string in
 * notifications) or `{"reason": …}` (the delta-query form) — both accepted (spec §3).
 */
const MemberDeltaSchema = z
  .object({
    id: NonEmpty,
    '@odata.type': z.string().optional(),
    '@removed': z.union([z.string(), z.object({ reason: z.string().optional() })]).optional(),
  })
  .transform((m) => ({ id: m.id.toLowerCase(), removed: m['@removed'] !== undefined }));

/** Digits as a string: lossless parsing turns integers past 2^53 into strings before this sees them. */
const SequenceNumberSchema = z
  .union([z.string().regex(/^-?\d+$/, 'must be an integer'), z.number().int()])
  .transform((v) => String(v));

const ResourceDataSchema = z.object({
  '@odata.type': z.string().optional(),
  '@odata.id': z.string().optional(),
  id: z.string().optional(),
  organizationId: z.string().optional(),
  eventTime: GraphDateTimeSchema.optional(),
  sequenceNumber: SequenceNumberSchema.optional(),
  'members@delta': z.array(MemberDeltaSchema).optional(),
});

const ClientStateSchema = z.string().nullable().optional();

export const ChangeNotificationSchema = z.object({
  subscriptionId: NonEmpty,
  subscriptionExpirationDateTime: GraphDateTimeSchema,
  tenantId: NonEmpty,
  changeType: ChangeTypeSchema,
  resource: NonEmpty,
  resourceData: ResourceDataSchema.nullable().optional(),
  clientState: ClientStateSchema,
  id: z.string().nullable().optional(),
});

export const LifecycleNotificationSchema = z.object({
  subscriptionId: NonEmpty,
  subscriptionExpirationDateTime: GraphDateTimeSchema,
  tenantId: NonEmpty,
  lifecycleEvent: LifecycleEventSchema,
  clientState: ClientStateSchema,
  resource: z.string().nullable().optional(),
});

export const ChangeNotificationCollectionSchema = z.object({ value: z.array(ChangeNotificationSchema) });
export const LifecycleNotificationCollectionSchema = z.object({
  value: z.array(LifecycleNotificationSchema),
});

export type RawChangeNotification = z.infer<typeof ChangeNotificationSchema>;
export type RawLifecycleNotification = z.infer<typeof LifecycleNotificationSchema>;
