import type { ChangeMessageInput, Enqueued } from '../../state/index.js';
import type { WorkerApp } from './workerApp.js';

export type ScheduledKind = 'reconcile' | 'catchUp' | 'reassert' | 'renew';

/**
 * What a timer does (DESIGN §2: timers never do long work themselves): enqueue one message for
 * the worker, which runs it under a lease and retries it with backoff.
 */
export async function enqueueScheduledJob(
  app: Pick<WorkerApp, 'stores' | 'clock'>,
  kind: ScheduledKind,
  timer: { isPastDue?: boolean } = {},
): Promise<Enqueued> {
  const reason = `${kind} timer${timer.isPastDue ? ' (past due)' : ''}`;
  const base = { receivedAt: app.clock.now(), reason };
  const message: ChangeMessageInput =
    kind === 'renew' ? { kind, mode: 'ensure', requestedBy: 'timer', ...base } : { kind, ...base };
  return app.stores.queue.enqueue(message);
}
