import type { InvocationContext } from '@azure/functions';
import { app } from '@azure/functions';
import { processApp } from '../src/app/composition.js';
import { handleMessage } from '../src/app/worker/index.js';

/**
 * The one queue worker (DESIGN §2, §3.2): every job kind arrives on `graph-changes`. Handled
 * failures come back as values (retried copies, poison, drops) so the host deletes the message;
 * only an unrecordable crash throws, and then host.json's maxDequeueCount applies.
 */
export async function applyChanges(queueItem: unknown, context: InvocationContext): Promise<void> {
  const metadata = context.triggerMetadata ?? {};
  const meta = {
    messageId: typeof metadata.id === 'string' ? metadata.id : context.invocationId,
    dequeueCount:
      typeof metadata.dequeueCount === 'number' ? metadata.dequeueCount : Number(metadata.dequeueCount ?? 1),
  };
  // The invocation's log, so the alerts' events (src/app/telemetry.ts) carry its operation id.
  const result = await handleMessage({ ...(await processApp()), log: context }, queueItem, meta);
  const detail = 'reason' in result && result.reason ? `: ${result.reason}` : '';
  context.log(`${result.kind ?? 'message'} ${meta.messageId} ${result.status}${detail}`);
}

app.storageQueue('applyChanges', {
  queueName: 'graph-changes',
  connection: 'AzureWebJobsStorage',
  handler: applyChanges,
});
