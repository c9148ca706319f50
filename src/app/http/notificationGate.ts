import type { Secret } from '../../config/index.js';
import { checkItem, type NotificationEnvelope } from '../../graph/notifications.js';
import type { ChangeMessageInput } from '../../state/index.js';
import { type DropReason, type LogSink, NotificationDrops } from '../telemetry.js';
import type { CounterSink } from './webhookCounters.js';

/** Graph's notification batches are small; 4 MiB leaves room for large `members@delta` (≥ 1 MB, DESIGN §3.1). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** Longest validation token answered (DESIGN §3.1), in UTF-8 bytes of the decoded token. */
export const MAX_VALIDATION_TOKEN_BYTES = 1024;

export interface ReceiveInput {
  /** The request's query, already URL-decoded (URLSearchParams decodes). */
  query: URLSearchParams;
  /** Informational: Graph sends application/json, and the JSON parse decides either way. */
  contentType?: string | undefined;
  /** Undefined when the shell did not read the body (its declared length was already over the limit). */
  bodyText: string | undefined;
  /** The body's size in bytes, read or declared. */
  bodyBytes: number;
}

export interface ReceiveDeps {
  tenantId: string;
  clientState: Secret;
  previousClientState?: Secret | undefined;
  /** Our subscription ids (cached per process; a failed read yields the last known set). */
  ourSubscriptionIds(): Promise<ReadonlySet<string>>;
  /** Enqueues every message or throws; the answer waits for it. */
  enqueue(messages: ChangeMessageInput[]): Promise<void>;
  counters: CounterSink;
  now(): number;
  maxBodyBytes?: number;
  /** Where `sync.notificationDropped` goes (the invocation's log); none when absent. */
  log?: LogSink | undefined;
}

export type ReceiveResult =
  | { kind: 'validation'; token: string }
  | { kind: 'accepted'; enqueued: number; dropped: number; truncated: number; alarms: number }
  | { kind: 'rejected'; status: 400 | 413 | 503; reason: string };

export type Channel = 'notifications' | 'lifecycle';

/**
 * What every POST from Graph goes through before its items are read: the validation handshake,
 * the body limit, an empty body. Returns undefined when the body is to be parsed.
 */
export function gate(input: ReceiveInput, deps: ReceiveDeps, channel: Channel): ReceiveResult | undefined {
  const token = input.query.get('validationToken');
  if (token !== null) {
    if (token === '' || Buffer.byteLength(token, 'utf8') > MAX_VALIDATION_TOKEN_BYTES) {
      deps.counters.add(`${channel}.validationRefused`);
      return {
        kind: 'rejected',
        status: 400,
        reason: `validationToken must be 1 to ${MAX_VALIDATION_TOKEN_BYTES} bytes`,
      };
    }
    deps.counters.add(`${channel}.validation`);
    return { kind: 'validation', token };
  }
  const limit = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  if (input.bodyBytes > limit) {
    // Graph drops what it can't deliver, so an oversize batch is a lost change: count it (DESIGN §3.1).
    deps.counters.add(`${channel}.oversize`);
    dropWhole(deps, channel, 'tooLarge');
    return { kind: 'rejected', status: 413, reason: `the body is over the limit of ${limit} bytes` };
  }
  if (!input.bodyText || input.bodyText.trim() === '') {
    deps.counters.add(`${channel}.invalid`);
    dropWhole(deps, channel, 'invalid');
    return { kind: 'rejected', status: 400, reason: 'the body is empty' };
  }
  return undefined;
}

/** A parse failure, with the failing path (`value[3].clientState: …`). */
export function invalidBody(
  deps: ReceiveDeps,
  channel: Channel,
  error: { path: string; message: string },
): ReceiveResult {
  deps.counters.add(`${channel}.invalid`);
  dropWhole(deps, channel, 'invalid');
  return {
    kind: 'rejected',
    status: 400,
    reason: error.path ? `${error.path}: ${error.message}` : error.message,
  };
}

/** Reads our subscription ids; without them every item still gets the tenant and clientState checks. */
export async function subscriptionIds(deps: ReceiveDeps): Promise<ReadonlySet<string>> {
  try {
    return await deps.ourSubscriptionIds();
  } catch {
    return new Set();
  }
}

/**
 * One item's verdict through `checkItem` (tenant, then clientState against the current and the
 * previous secret in constant time). A rejection on one of our own subscription ids is an alarm:
 * someone knows our subscription id but not our secret, or the secret rotated under us.
 */
export function admit(
  item: NotificationEnvelope,
  deps: ReceiveDeps,
  ours: ReadonlySet<string>,
  channel: Channel,
): { admitted: boolean; alarm: boolean; dropReason?: DropReason; ours: boolean } {
  const verdict = checkItem(item, {
    tenantId: deps.tenantId,
    clientState: deps.clientState,
    previousClientState: deps.previousClientState,
    ourSubscriptionIds: ours,
  });
  if (verdict.status === 'accepted') {
    if (!verdict.knownSubscription) deps.counters.add(`${channel}.unknownSubscription`);
    if (verdict.matched === 'previous') deps.counters.add(`${channel}.previousClientState`);
    return { admitted: true, alarm: false, ours: verdict.knownSubscription };
  }
  deps.counters.add(`${channel}.dropped.${verdict.reason}`);
  const dropReason = verdict.reason === 'wrongTenant' ? 'wrongTenant' : 'clientStateMismatch';
  if (!verdict.knownSubscription) return { admitted: false, alarm: false, dropReason, ours: false };
  deps.counters.alarm({
    at: deps.now(),
    channel,
    subscriptionId: item.subscriptionId,
    reason: verdict.reason,
  });
  return { admitted: false, alarm: true, dropReason, ours: true };
}

/** Enqueues, then answers: 202 once every message is stored, 503 (Graph retries) if any failed. */
export async function deliver(
  messages: ChangeMessageInput[],
  tally: { dropped: number; truncated: number; alarms: number },
  deps: ReceiveDeps,
  channel: Channel,
  drops?: NotificationDrops,
): Promise<ReceiveResult> {
  if (messages.length > 0) {
    try {
      await deps.enqueue(messages);
    } catch {
      deps.counters.add(`${channel}.enqueueFailed`);
      return { kind: 'rejected', status: 503, reason: 'the change queue is unavailable; retry later' };
    }
  }
  // Only now: a 503 makes Graph send the whole batch again, drops included.
  drops?.emit(deps.log);
  deps.counters.add(`${channel}.enqueued`, messages.length);
  deps.counters.add(`${channel}.truncated`, tally.truncated);
  return { kind: 'accepted', enqueued: messages.length, ...tally };
}

/** A whole request refused (413, 400): Graph does not retry it, so it counts as one dropped batch. */
function dropWhole(deps: ReceiveDeps, channel: Channel, reason: DropReason): void {
  const drops = new NotificationDrops(channel);
  drops.add(reason, undefined, false);
  drops.emit(deps.log);
}
