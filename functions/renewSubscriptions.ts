import type { InvocationContext, Timer } from '@azure/functions';
import { app } from '@azure/functions';
import { processApp } from '../src/app/composition.js';
import { timerSchedule } from '../src/app/timerSchedule.js';
import { enqueueScheduledJob } from '../src/app/worker/index.js';

/** Ensures and renews the Graph subscriptions (DESIGN §3.4); also at start-up. Only enqueues; the worker runs it. */
export async function renewSubscriptions(timer: Timer, context: InvocationContext): Promise<void> {
  const { messageId } = await enqueueScheduledJob(await processApp(), 'renew', timer);
  context.log(`renew enqueued as ${messageId}`);
}

app.timer('renewSubscriptions', {
  schedule: timerSchedule('RENEW_SCHEDULE'),
  runOnStartup: true,
  handler: renewSubscriptions,
});
