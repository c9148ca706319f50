import type { BindingInfo, RegisteredFunction } from './coreModule.js';
import { type QueueSettings, resolveSettingRefs } from './hostConfig.js';
import type { OutputSink } from './invoker.js';
import {
  describeConnectionProblem,
  encodeMessage,
  lookupConnection,
  type QueueClients,
  toMessageText,
} from './queueClients.js';

function outputs(fn: RegisteredFunction): [string, BindingInfo][] {
  return Object.entries(fn.metadata.bindings).filter(([, b]) => b.direction === 'out');
}

/** Output bindings the local host can't write (anything but the HTTP response and storage queues). */
export function unsupportedOutputs(fn: RegisteredFunction): string[] {
  return outputs(fn)
    .filter(([, b]) => b.type !== 'http' && b.type !== 'queue')
    .map(([key, b]) => `${b.name ?? key} (${b.type})`);
}

/**
 * Writes `output.storageQueue` bindings after a successful invocation: values set through
 * `context.extraOutputs`, or the return value when the queue is the `return` binding. An array means
 * one message per element. Messages use host.json `messageEncoding`, as the host's output binding does.
 */
export function queueOutputSink(
  env: Record<string, string>,
  settings: QueueSettings,
  clients: QueueClients,
  onEnqueued: (queueName: string) => void,
): OutputSink {
  return async (fn, context, result) => {
    for (const [key, binding] of outputs(fn)) {
      if (binding.type !== 'queue') continue;
      const value = key === '$return' ? result : context.extraOutputs.get(binding.name ?? key);
      if (value === undefined || value === null) continue;
      const lookup = lookupConnection(binding.connection as string | undefined, env);
      if (lookup.kind !== 'connectionString') {
        throw new Error(`output binding ${binding.name ?? key}: ${describeConnectionProblem(lookup)}`);
      }
      const queueName = resolveSettingRefs(String(binding.queueName ?? ''), env).toLowerCase();
      const queue = await clients.get(lookup.value, queueName);
      for (const item of Array.isArray(value) ? value : [value]) {
        await queue.sendMessage(encodeMessage(toMessageText(item), settings.messageEncoding));
      }
      onEnqueued(queueName);
    }
  };
}
