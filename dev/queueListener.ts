import { format } from 'node:util';
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import type { QueueSettings } from './hostConfig.js';
import type { Log } from './invoker.js';
import { decodeMessage, toTriggerValue } from './queueClients.js';

export interface QueueListenerOptions {
  functionName: string;
  queueName: string;
  /** The queue's client, created on first use (and retried after a failure). */
  queue: () => Promise<QueueClient>;
  poison: () => Promise<QueueClient>;
  settings: QueueSettings;
  /** How long a received message stays invisible while its invocation runs (longer than the function timeout). */
  leaseMs: number;
  invoke: (input: unknown, triggerMetadata: Record<string, unknown>) => Promise<unknown>;
  log: Log;
}

const MIN_POLL_MS = 100;
const MAX_VISIBILITY_S = 7 * 24 * 3600;

/**
 * Polls one queue like the Functions host's queue listener: receive up to `batchSize` messages,
 * fetch the next batch once in-flight messages drop to `newBatchThreshold`, back off exponentially
 * (from 100 ms up to `maxPollingInterval`) while the queue is empty, delete on success, make a
 * failed message visible again after `visibilityTimeout`, and move it to `<queue>-poison` once it has
 * been dequeued `maxDequeueCount` times.
 */
export class QueueListener {
  readonly #o: QueueListenerOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();
  readonly #stopped: Promise<void>;
  #wakePending = false;
  #wakeSleeper: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: QueueListenerOptions) {
    this.#o = options;
    this.#stopped = new Promise((resolve) => this.#stop.signal.addEventListener('abort', () => resolve()));
  }

  start(): void {
    this.#loop ??= this.#poll();
  }

  /** Polls at once instead of waiting out the back-off (used when the app itself enqueues). */
  wake(): void {
    if (this.#wakeSleeper) this.#wakeSleeper();
    else this.#wakePending = true;
  }

  /** Stops polling; messages already received keep being processed (see `idle`). */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#wakeSleeper?.();
    await this.#loop;
  }

  /** Resolves once every received message is settled: invoked, then deleted, retried or poisoned. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  async #poll(): Promise<void> {
    const { settings, log, functionName, queueName } = this.#o;
    let delay = 0;
    while (!this.#stop.signal.aborted) {
      if (this.#running.size > settings.newBatchThreshold) {
        await Promise.race([...this.#running, this.#stopped]);
        continue;
      }
      let messages: DequeuedMessageItem[] = [];
      let queue: QueueClient | undefined;
      try {
        queue = await this.#o.queue();
        const response = await queue.receiveMessages({
          numberOfMessages: settings.batchSize,
          visibilityTimeout: Math.min(Math.ceil(this.#o.leaseMs / 1000), MAX_VISIBILITY_S),
          abortSignal: this.#stop.signal,
        });
        messages = response.receivedMessageItems;
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        log(`[${functionName}] error: cannot read queue ${queueName}: ${format(error)}`);
        delay = settings.maxPollingIntervalMs;
      }
      for (const message of messages) {
        if (!queue) break;
        const running = this.#process(queue, message).finally(() => this.#running.delete(running));
        this.#running.add(running);
      }
      if (messages.length > 0) {
        delay = 0;
        continue;
      }
      delay = Math.min(delay === 0 ? MIN_POLL_MS : delay * 2, settings.maxPollingIntervalMs);
      if (await this.#pause(delay)) delay = 0;
    }
  }

  /** Sleeps `ms` unless stopped or woken; true when woken. */
  async #pause(ms: number): Promise<boolean> {
    if (this.#wakePending || this.#stop.signal.aborted) {
      const woken = this.#wakePending;
      this.#wakePending = false;
      return woken;
    }
    let timer: NodeJS.Timeout | undefined;
    const woken = await new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
      this.#wakeSleeper = () => resolve(true);
    });
    clearTimeout(timer);
    this.#wakeSleeper = undefined;
    return woken;
  }

  async #process(queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
    const { settings, log, functionName } = this.#o;
    const text = decodeMessage(message.messageText, settings.messageEncoding);
    if (text === undefined) {
      log(
        `[${functionName}] error: message ${message.messageId} is not valid base64 (messageEncoding is base64)`,
      );
      await this.#poisonOrLog(queue, message);
      return;
    }
    if (message.dequeueCount > settings.maxDequeueCount) {
      await this.#poisonOrLog(queue, message);
      return;
    }
    const triggerMetadata = {
      id: message.messageId,
      dequeueCount: message.dequeueCount,
      popReceipt: message.popReceipt,
      insertionTime: message.insertedOn.toISOString(),
      expirationTime: message.expiresOn.toISOString(),
      nextVisibleTime: message.nextVisibleOn.toISOString(),
      queueTrigger: text,
    };
    try {
      await this.#o.invoke(toTriggerValue(text), triggerMetadata);
    } catch {
      // The invoker has logged the failure; what remains is the queue's retry policy.
      if (message.dequeueCount >= settings.maxDequeueCount) {
        await this.#poisonOrLog(queue, message);
        return;
      }
      await this.#settle(message, () =>
        queue.updateMessage(
          message.messageId,
          message.popReceipt,
          undefined,
          Math.ceil(settings.visibilityTimeoutMs / 1000),
        ),
      );
      return;
    }
    await this.#settle(message, () => queue.deleteMessage(message.messageId, message.popReceipt));
  }

  async #poisonOrLog(queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
    const { log, functionName } = this.#o;
    await this.#settle(message, async () => {
      const poison = await this.#o.poison();
      // The original text, still encoded: the poison queue is read with the same encoding.
      await poison.sendMessage(message.messageText);
      await queue.deleteMessage(message.messageId, message.popReceipt);
      log(
        `[${functionName}] Message ${message.messageId} has reached MaxDequeueCount of ${this.#o.settings.maxDequeueCount}; moved to ${poison.name}`,
      );
    });
  }

  async #settle(message: DequeuedMessageItem, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      // PopReceiptMismatch (400) or 404: the lease expired and another receive owns the message now.
      this.#o.log(
        `[${this.#o.functionName}] warning: cannot settle message ${message.messageId}: ${format(error)}`,
      );
    }
  }
}
