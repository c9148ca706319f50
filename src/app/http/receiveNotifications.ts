import { type ChangeNotification, parseNotificationCollection } from '../../graph/notifications.js';
import {
  type ChangeMessage,
  type ChangeMessageInput,
  ChangeMessageSchema,
  TRUNCATE_BYTES,
} from '../../state/index.js';
import { NotificationDrops } from '../telemetry.js';
import {
  admit,
  deliver,
  gate,
  invalidBody,
  type ReceiveDeps,
  type ReceiveInput,
  type ReceiveResult,
  subscriptionIds,
} from './notificationGate.js';

export type { ReceiveDeps, ReceiveInput, ReceiveResult } from './notificationGate.js';

const CHANNEL = 'notifications';

/**
 * The change-notification webhook without its transport (DESIGN §3.1; octokit's `verifyAndReceive`):
 * the validation handshake, the body limit, parsing with the failing path named, then per item the
 * tenant and clientState checks; every admitted item becomes one `user` or `group` message, all
 * enqueued before answering. Never trust an item beyond "object X of kind K changed".
 */
export async function receive(input: ReceiveInput, deps: ReceiveDeps): Promise<ReceiveResult> {
  const early = gate(input, deps, CHANNEL);
  if (early) return early;
  const parsed = parseNotificationCollection(input.bodyText ?? '');
  if (!parsed.ok) return invalidBody(deps, CHANNEL, parsed.error);

  const ours = await subscriptionIds(deps);
  const receivedAt = deps.now();
  const messages: ChangeMessageInput[] = [];
  const tally = { dropped: 0, truncated: 0, alarms: 0 };
  const drops = new NotificationDrops(CHANNEL);
  for (const item of parsed.items) {
    const { admitted, alarm, dropReason, ours: known } = admit(item, deps, ours, CHANNEL);
    if (alarm) tally.alarms++;
    if (!admitted) {
      tally.dropped++;
      drops.add(dropReason ?? 'invalid', item.subscriptionId, known);
      continue;
    }
    const message = toMessage(item, receivedAt);
    if (!message) {
      tally.dropped++;
      drops.add('invalid', item.subscriptionId, known);
      deps.counters.add(`${CHANNEL}.dropped.unsupportedItem`);
      continue;
    }
    if (message.kind === 'group' && message.truncated) tally.truncated++;
    messages.push(message);
  }
  return deliver(messages, tally, deps, CHANNEL, drops);
}

/**
 * One queue message per item, or undefined for an item the worker can't act on (a resource that
 * is neither a user nor a group, an id that is not a GUID). A message past 40 KB drops
 * `members@delta` and says so (the worker then re-reads the whole group anyway).
 */
export function toMessage(item: ChangeNotification, receivedAt: number): ChangeMessage | undefined {
  if (item.kind === 'unknown' || !item.objectId) return undefined;
  const candidate: ChangeMessageInput = {
    kind: item.kind,
    objectId: item.objectId,
    source: 'notification',
    receivedAt,
    subscriptionId: item.subscriptionId,
    ...(item.changeType === 'unknownFutureValue' ? {} : { changeType: item.changeType }),
    ...(item.eventAt === undefined ? {} : { eventTime: item.eventAt }),
    ...(item.kind === 'group' && item.membersDelta ? { membersDelta: item.membersDelta } : {}),
  };
  const parsed = ChangeMessageSchema.safeParse(candidate);
  if (!parsed.success) return undefined;
  const message = parsed.data;
  if (message.kind === 'group' && message.membersDelta && bytesOf(message) > TRUNCATE_BYTES) {
    const { membersDelta: _dropped, ...rest } = message;
    return { ...rest, truncated: true };
  }
  return message;
}

function bytesOf(message: ChangeMessage): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}
