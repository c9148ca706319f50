import type { z } from 'zod';
import { formatPath, type Secret } from '../config/index.js';
import type { ObjectId } from '../domain/types.js';
import { parseJsonLossless } from './losslessJson.js';
import {
  ChangeNotificationCollectionSchema,
  type ChangeType,
  type LifecycleEvent,
  LifecycleNotificationCollectionSchema,
  type RawChangeNotification,
  type RawLifecycleNotification,
} from './notificationSchemas.js';

export type { ChangeType, LifecycleEvent } from './notificationSchemas.js';

/** The fields every change and lifecycle item carries, and all that `checkItem` needs. */
export interface NotificationEnvelope {
  subscriptionId: string;
  /** As Graph sent it (7 fractional digits, `Z` or an offset). */
  subscriptionExpirationDateTime: string;
  subscriptionExpiresAt: number;
  tenantId: string;
  clientState?: string;
}

/** "Object X of kind K changed", nothing more: the worker re-reads Graph (DESIGN §3.1). */
export interface ChangeNotification extends NotificationEnvelope {
  changeType: ChangeType;
  /** `Users/{id}` or `Groups/{id}` as sent (capitalised in practice). */
  resource: string;
  kind: 'user' | 'group' | 'unknown';
  objectId?: ObjectId;
  eventTime?: string;
  /** `eventTime` in epoch ms (the queue message's `eventTime`). */
  eventAt?: number;
  /** Exact digits: the value exceeds JavaScript's safe integers, so it is never a number here. */
  sequenceNumber?: string;
  /** Observed, undocumented (spec §3): membership entries in order; apply in order. */
  membersDelta?: Array<{ id: ObjectId; removed: boolean }>;
}

export interface LifecycleNotification extends NotificationEnvelope {
  lifecycleEvent: LifecycleEvent;
}

export interface NotificationParseError {
  /** Where the first problem is, e.g. `value[3].clientState`; empty for the body as a whole. */
  path: string;
  message: string;
  /** Every problem, first one first. */
  issues: Array<{ path: string; message: string }>;
}

export type ParseResult<T> = { ok: true; items: T[] } | { ok: false; error: NotificationParseError };

/** A change-notification POST body (`{"value":[…]}`), tolerant of every documented variant (spec §3). */
export function parseNotificationCollection(text: string): ParseResult<ChangeNotification> {
  return parseWith(text, ChangeNotificationCollectionSchema, toChangeNotification);
}

/** A lifecycle POST body: `reauthorizationRequired`, `subscriptionRemoved`, `missed` (spec §4). */
export function parseLifecycleCollection(text: string): ParseResult<LifecycleNotification> {
  return parseWith(text, LifecycleNotificationCollectionSchema, toLifecycleNotification);
}

export interface CheckContext {
  tenantId: string;
  clientState: Secret;
  previousClientState?: Secret | undefined;
  ourSubscriptionIds: ReadonlySet<string> | readonly string[];
}

export type ItemCheck =
  | { status: 'accepted'; matched: 'current' | 'previous'; knownSubscription: boolean }
  | {
      status: 'rejected';
      reason: 'wrongTenant' | 'missingClientState' | 'wrongClientState';
      /** A rejection on one of our own subscription ids is an alarm, not noise (DESIGN §3.1). */
      knownSubscription: boolean;
    };

/**
 * Whether to act on one item: our tenant, and a clientState equal (in constant time) to the
 * current or the previous secret. An unknown subscription id with the right clientState is
 * accepted but flagged (our registry may lag a create); the caller counts it.
 */
export function checkItem(item: NotificationEnvelope, context: CheckContext): ItemCheck {
  const ids = context.ourSubscriptionIds;
  const knownSubscription = Array.isArray(ids)
    ? ids.includes(item.subscriptionId)
    : (ids as ReadonlySet<string>).has(item.subscriptionId);
  if (item.tenantId.toLowerCase() !== context.tenantId.toLowerCase()) {
    return { status: 'rejected', reason: 'wrongTenant', knownSubscription };
  }
  if (item.clientState === undefined)
    return { status: 'rejected', reason: 'missingClientState', knownSubscription };
  // Both comparisons always run, so timing doesn't tell which secret matched.
  const current = context.clientState.matches(item.clientState);
  const previous = context.previousClientState?.matches(item.clientState) ?? false;
  if (current) return { status: 'accepted', matched: 'current', knownSubscription };
  if (previous) return { status: 'accepted', matched: 'previous', knownSubscription };
  return { status: 'rejected', reason: 'wrongClientState', knownSubscription };
}

function parseWith<Raw, Item>(
  text: string,
  schema: z.ZodType<{ value: Raw[] }>,
  toItem: (raw: Raw) => Item,
): ParseResult<Item> {
  let json: unknown;
  try {
    json = parseJsonLossless(text);
  } catch {
    return failure([{ path: '', message: 'the body is not valid JSON' }]);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return failure(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  return { ok: true, items: result.data.value.map(toItem) };
}

function failure(issues: Array<{ path: string; message: string }>): {
  ok: false;
  error: NotificationParseError;
} {
  const first = issues[0] ?? { path: '', message: 'invalid' };
  return { ok: false, error: { path: first.path, message: first.message, issues } };
}

function envelope(raw: RawChangeNotification | RawLifecycleNotification): NotificationEnvelope {
  return {
    subscriptionId: raw.subscriptionId,
    subscriptionExpirationDateTime: raw.subscriptionExpirationDateTime.text,
    subscriptionExpiresAt: raw.subscriptionExpirationDateTime.ms,
    tenantId: raw.tenantId,
    ...(typeof raw.clientState === 'string' ? { clientState: raw.clientState } : {}),
  };
}

function toChangeNotification(raw: RawChangeNotification): ChangeNotification {
  const data = raw.resourceData ?? undefined;
  const fromResource = /^\/?(users|groups)\/([^/?#]+)/i.exec(raw.resource);
  const type = data?.['@odata.type']?.toLowerCase();
  const kindOf = (name: string | undefined) =>
    name === 'users' ? 'user' : name === 'groups' ? 'group' : 'unknown';
  const kind =
    type === '#microsoft.graph.user'
      ? 'user'
      : type === '#microsoft.graph.group'
        ? 'group'
        : kindOf(fromResource?.[1]?.toLowerCase());
  const objectId = (data?.id ?? fromResource?.[2])?.toLowerCase();
  return {
    ...envelope(raw),
    changeType: raw.changeType,
    resource: raw.resource,
    kind,
    ...(objectId ? { objectId } : {}),
    ...(data?.eventTime ? { eventTime: data.eventTime.text, eventAt: data.eventTime.ms } : {}),
    ...(data?.sequenceNumber ? { sequenceNumber: data.sequenceNumber } : {}),
    ...(data?.['members@delta'] ? { membersDelta: data['members@delta'] } : {}),
  };
}

function toLifecycleNotification(raw: RawLifecycleNotification): LifecycleNotification {
  return { ...envelope(raw), lifecycleEvent: raw.lifecycleEvent };
}
