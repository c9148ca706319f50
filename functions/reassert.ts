import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';
import { processApp } from '../src/app/composition.js';
import { timerSchedule } from '../src/app/timerSchedule.js';
import { enqueueScheduledJob } from '../src/app/worker/index.js';

/** Re-sends the fields Gogs hides (DESIGN §2.1), weekly by default. Only enqueues; the worker runs it. */
export async function reassert(timer: Timer, context: InvocationContext): Promise<void> {
  const { messageId } = await enqueueScheduledJob(await processApp(), 'reassert', timer);
  context.log(`reassert enqueued as ${messageId}`);
}

app.timer('reassert', {
  schedule: timerSchedule('REASSERT_SCHEDULE'),
  handler: reassert,
});
