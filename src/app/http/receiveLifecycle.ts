import { parseLifecycleCollection } from '../../graph/notifications.js';
import { type ChangeMessageInput, ChangeMessageSchema } from '../../state/index.js';
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

const CHANNEL = 'lifecycle';

/**
 * The lifecycle webhook without its transport (DESIGN §3.1, spec/graph.md §4): the same handshake,
 * limit and checks as change notifications; each admitted event becomes one `lifecycle` message and
 * the worker renews (`reauthorizationRequired`) or recreates and catches up (`subscriptionRemoved`,
 * `missed`). An event name Graph adds later is dropped and counted, not guessed at.
 */
export async function receiveLifecycle(input: ReceiveInput, deps: ReceiveDeps): Promise<ReceiveResult> {
  const early = gate(input, deps, CHANNEL);
  if (early) return early;
  const parsed = parseLifecycleCollection(input.bodyText ?? '');
  if (!parsed.ok) return invalidBody(deps, CHANNEL, parsed.error);

  const ours = await subscriptionIds(deps);
  const receivedAt = deps.now();
  const messages: ChangeMessageInput[] = [];
  const tally = { dropped: 0, truncated: 0, alarms: 0 };
  const drops = new NotificationDrops(CHANNEL);
  for (const item of parsed.items) {
    const { admitted, alarm, dropReason, ours: known } = admit(item, deps, ours, CHANNEL);
    if (alarm) tally.alarms++;
    if (!admitted || item.lifecycleEvent === 'unknownFutureValue') {
      if (admitted) deps.counters.add(`${CHANNEL}.dropped.unsupportedItem`);
      tally.dropped++;
      drops.add(dropReason ?? 'invalid', item.subscriptionId, known);
      continue;
    }
    const message = ChangeMessageSchema.safeParse({
      kind: 'lifecycle',
      subscriptionId: item.subscriptionId,
      lifecycleEvent: item.lifecycleEvent,
      receivedAt,
    });
    if (!message.success) {
      deps.counters.add(`${CHANNEL}.dropped.unsupportedItem`);
      tally.dropped++;
      drops.add('invalid', item.subscriptionId, known);
      continue;
    }
    deps.counters.add(`${CHANNEL}.${item.lifecycleEvent}`);
    messages.push(message.data);
  }
  return deliver(messages, tally, deps, CHANNEL, drops);
}
