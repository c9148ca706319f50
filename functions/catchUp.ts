import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';
import { processApp } from '../src/app/composition.js';
import { timerSchedule } from '../src/app/timerSchedule.js';
import { enqueueScheduledJob } from '../src/app/worker/index.js';

/** The delta catch-up (DESIGN §3.3) that bounds the damage of a lost notification. Only enqueues; the worker runs it. */
export async function catchUp(timer: Timer, context: InvocationContext): Promise<void> {
  const { messageId } = await enqueueScheduledJob(await processApp(), 'catchUp', timer);
  context.log(`catchUp enqueued as ${messageId}`);
}

app.timer('catchUp', {
  schedule: timerSchedule('CATCHUP_SCHEDULE'),
  handler: catchUp,
});
