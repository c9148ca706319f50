import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';
import { processApp } from '../src/app/composition.js';
import { timerSchedule } from '../src/app/timerSchedule.js';
import { enqueueScheduledJob } from '../src/app/worker/index.js';

/** A full reconcile (DESIGN §3.3), daily by default. Only enqueues; the worker runs it. */
export async function reconcile(timer: Timer, context: InvocationContext): Promise<void> {
  const { messageId } = await enqueueScheduledJob(await processApp(), 'reconcile', timer);
  context.log(`reconcile enqueued as ${messageId}`);
}

app.timer('reconcile', {
  schedule: timerSchedule('RECONCILE_SCHEDULE'),
  handler: reconcile,
});
