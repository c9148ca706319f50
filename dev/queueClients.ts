import { type QueueClient, QueueServiceClient } from '@azure/storage-queue';
import type { MessageEncoding } from './hostConfig.js';

export type ConnectionLookup =
  | { kind: 'connectionString'; value: string }
  | { kind: 'identity'; setting: string }
  | { kind: 'missing'; setting: string };

/**
 * Finds a binding's `connection` the way the Functions host does: the app setting itself, then
 * `AzureWebJobs<name>`; `<name>__queueServiceUri` / `__serviceUri` / `__accountName` mean the
 * identity form, which needs a managed identity and is not supported by the local host.
 */
export function lookupConnection(
  connection: string | undefined,
  env: Record<string, string>,
): ConnectionLookup {
  const setting = connection && connection !== '' ? connection : 'AzureWebJobsStorage';
  for (const key of [setting, `AzureWebJobs${setting}`]) {
    const value = env[key];
    if (value !== undefined && value !== '') return { kind: 'connectionString', value };
  }
  const identityKeys = ['queueServiceUri', 'serviceUri', 'accountName'].map((k) => `${setting}__${k}`);
  if (identityKeys.some((k) => env[k] !== undefined && env[k] !== '')) return { kind: 'identity', setting };
  return { kind: 'missing', setting };
}

export function describeConnectionProblem(lookup: ConnectionLookup): string | undefined {
  switch (lookup.kind) {
    case 'connectionString':
      return undefined;
    case 'identity':
      return (
        `connection "${lookup.setting}" uses the identity form (${lookup.setting}__serviceUri/__queueServiceUri/` +
        "__accountName), which is not supported locally: set it to a connection string, e.g. Azurite's"
      );
    case 'missing':
      return `connection "${lookup.setting}" is not set (no app setting ${lookup.setting} or AzureWebJobs${lookup.setting})`;
  }
}

/** Queue clients per connection string and queue, creating each queue once (like the host). */
export class QueueClients {
  readonly #services = new Map<string, QueueServiceClient>();
  readonly #ready = new Map<string, Promise<QueueClient>>();

  get(connectionString: string, queueName: string): Promise<QueueClient> {
    const key = `${connectionString}\n${queueName}`;
    let ready = this.#ready.get(key);
    if (!ready) {
      let service = this.#services.get(connectionString);
      if (!service) {
        service = QueueServiceClient.fromConnectionString(connectionString);
        this.#services.set(connectionString, service);
      }
      const client = service.getQueueClient(queueName);
      ready = client.createIfNotExists().then(() => client);
      ready.catch(() => this.#ready.delete(key));
      this.#ready.set(key, ready);
    }
    return ready;
  }
}

export function encodeMessage(text: string, encoding: MessageEncoding): string {
  return encoding === 'base64' ? Buffer.from(text, 'utf8').toString('base64') : text;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decodes a stored message; undefined when `base64` is expected but the text isn't base64. */
export function decodeMessage(text: string, encoding: MessageEncoding): string | undefined {
  if (encoding === 'none') return text;
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('utf8');
}

/**
 * The trigger value the Node worker receives: the host sends JSON-looking text (an object or array,
 * as its `IsJson` check decides) as JSON, anything else as a string.
 */
export function toTriggerValue(text: string): unknown {
  const trimmed = text.trim();
  const looksJson =
    (trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'));
  if (!looksJson) return text;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return text;
  }
}

/** How an output binding value becomes message text: strings as-is, everything else as JSON. */
export function toMessageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}
