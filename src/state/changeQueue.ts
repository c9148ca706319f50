import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { type ChangeMessage, type ChangeMessageInput, parseChangeMessage } from './changeMessage.js';
import { InvalidMessageError } from './errors.js';
import type { StorageClients } from './storageClients.js';
import { storageCall } from './tableSupport.js';

/** A message over this drops `membersDelta` (DESIGN §3.1); the queue's own limit is 64 KiB. */
export const TRUNCATE_BYTES = 40 * 1024;
const QUEUE_LIMIT_BYTES = 64 * 1024;
/** The longest initial invisibility Queue storage accepts. */
const MAX_DELAY_S = 7 * 24 * 60 * 60;
const BATCH = 32;

export interface Enqueued {
  messageId: string;
  /** The message as sent (parsed, defaults filled, possibly truncated). */
  message: ChangeMessage;
}

export interface PoisonEntry {
  messageId: string;
  insertedOn?: Date;
  dequeueCount: number;
  text: string;
  /** The parsed message, or the reason it does not parse. */
  message?: ChangeMessage;
  problem?: string;
}

/**
 * The `graph-changes` queue and its `graph-changes-poison` queue (DESIGN §2, §4). Messages are
 * plain JSON text (host.json `messageEncoding: none`), never expire (a week-long outage must not
 * drop changes silently), and may start invisible for a delay (re-checks, retries with backoff).
 */
export class ChangeQueue {
  readonly #changes: QueueClient;
  readonly #poison: QueueClient;

  constructor(clients: StorageClients) {
    this.#changes = clients.queue('changes');
    this.#poison = clients.queue('poison');
  }

  async enqueue(input: ChangeMessageInput, options: { delayMs?: number } = {}): Promise<Enqueued> {
    const { message, text } = encode(input);
    const visibilityTimeout = Math.min(MAX_DELAY_S, Math.max(0, Math.ceil((options.delayMs ?? 0) / 1000)));
    const response = await storageCall('enqueueing a change', () =>
      this.#changes.sendMessage(text, { visibilityTimeout, messageTimeToLive: -1 }),
    );
    return { messageId: response.messageId, message };
  }

  /** Parks a message the worker gave up on (past `RETRY_HORIZON`), with why. */
  async sendToPoison(message: ChangeMessage, reason: string, at: number): Promise<string> {
    const { text } = encode({ ...message, poison: { at, reason: reason.slice(0, 2_000) } });
    const response = await storageCall('sending to the poison queue', () =>
      this.#poison.sendMessage(text, { messageTimeToLive: -1 }),
    );
    return response.messageId;
  }

  /** Up to 32 poison messages (a peek: nothing is hidden or dequeued). */
  async listPoison(limit = BATCH): Promise<PoisonEntry[]> {
    const response = await storageCall('peeking the poison queue', () =>
      this.#poison.peekMessages({ numberOfMessages: Math.min(BATCH, Math.max(1, limit)) }),
    );
    return response.peekedMessageItems.map((item) => ({
      messageId: item.messageId,
      insertedOn: item.insertedOn,
      dequeueCount: item.dequeueCount,
      text: item.messageText,
      ...describe(item.messageText),
    }));
  }

  /**
   * Moves poison messages (all, or those with the given ids) back to the change queue with
   * `attempt: 0` and `redrivenAt`, so they get a fresh retry horizon. Messages that don't parse
   * stay in the poison queue and are reported.
   */
  async redrivePoison(
    ids?: readonly string[],
    at = Date.now(),
  ): Promise<{ redriven: string[]; invalid: string[] }> {
    const wanted = ids ? new Set(ids) : undefined;
    // Messages looked at but left in place stay invisible until the end, so the loop ends.
    const skipped = new Map<string, DequeuedMessageItem>();
    const redriven: string[] = [];
    const invalid: string[] = [];
    let progressed = true;
    while (progressed && !(wanted && redriven.length + invalid.length === wanted.size)) {
      progressed = false;
      const response = await storageCall('reading the poison queue', () =>
        this.#poison.receiveMessages({ numberOfMessages: BATCH, visibilityTimeout: 60 }),
      );
      for (const item of response.receivedMessageItems) {
        const seen = skipped.has(item.messageId);
        if (seen || (wanted && !wanted.has(item.messageId))) {
          skipped.set(item.messageId, item);
          progressed ||= !seen;
          continue;
        }
        progressed = true;
        const { message } = describe(item.messageText);
        if (!message) {
          invalid.push(item.messageId);
          skipped.set(item.messageId, item);
          continue;
        }
        const { poison: _poison, ...rest } = message;
        await this.enqueue({ ...rest, attempt: 0, redrivenAt: at });
        await storageCall('removing a re-driven message', () =>
          this.#poison.deleteMessage(item.messageId, item.popReceipt),
        );
        redriven.push(item.messageId);
      }
    }
    await Promise.all(
      [...skipped.values()].map((item) =>
        storageCall('releasing a poison message', () =>
          this.#poison.updateMessage(item.messageId, item.popReceipt, undefined, 0),
        ).catch(() => undefined),
      ),
    );
    return { redriven, invalid };
  }

  async purgePoison(): Promise<void> {
    await storageCall('purging the poison queue', () => this.#poison.clearMessages());
  }

  /** Approximate message counts (visible and invisible) of both queues, for `status`. */
  async depth(): Promise<{ changes: number; poison: number }> {
    const [changes, poison] = await Promise.all(
      [this.#changes, this.#poison].map((queue) =>
        storageCall(`reading the depth of ${queue.name}`, () => queue.getProperties()),
      ),
    );
    return {
      changes: changes?.approximateMessagesCount ?? 0,
      poison: poison?.approximateMessagesCount ?? 0,
    };
  }
}

/** Validates, then drops `membersDelta` past 40 KB; refuses anything still over the queue limit. */
function encode(input: ChangeMessageInput): { message: ChangeMessage; text: string } {
  let message = parseChangeMessage(input);
  let text = JSON.stringify(message);
  if (Buffer.byteLength(text, 'utf8') > TRUNCATE_BYTES && message.kind === 'group' && message.membersDelta) {
    const { membersDelta: _dropped, ...rest } = message;
    message = { ...rest, truncated: true };
    text = JSON.stringify(message);
  }
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > QUEUE_LIMIT_BYTES) {
    throw new InvalidMessageError(`message: ${bytes} bytes is over the queue limit of ${QUEUE_LIMIT_BYTES}`);
  }
  return { message, text };
}

function describe(text: string): { message?: ChangeMessage; problem?: string } {
  try {
    return { message: parseChangeMessage(text) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}
