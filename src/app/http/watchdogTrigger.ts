import { ConcurrencyError } from '../../state/errors.js';
import type { ChangeMessageInput } from '../../state/index.js';
import type { WatchdogFinding, WatchdogJob } from './watchdog.js';
import type { CounterStore } from './webhookCounters.js';

export const WATCHDOG_SETTING = 'watchdog';
/** At most one watchdog enqueue of each job per cooldown, across instances. */
const COOLDOWN_MS: Record<WatchdogJob, number> = { renew: 3_600_000, reconcile: 3_600_000, catchUp: 900_000 };

export interface TriggerResult {
  job: WatchdogJob;
  enqueued: boolean;
  /** When the watchdog last enqueued this job (this call or an earlier one). */
  lastTriggeredAt?: number;
}

/**
 * Enqueues one job per finding kind, deduplicated through a settings row: the row is claimed with
 * its ETag first, so of several instances (or `status` calls) only the one that wins the write
 * enqueues, and not again within the cooldown. A lost race means someone else enqueued.
 */
export async function triggerWatchdog(
  findings: readonly WatchdogFinding[],
  deps: { settings: CounterStore; enqueue(message: ChangeMessageInput): Promise<unknown>; now: number },
): Promise<TriggerResult[]> {
  const jobs = [...new Set(findings.map((finding) => finding.job))];
  if (jobs.length === 0) return [];
  const current = await deps.settings.get(WATCHDOG_SETTING);
  const last = (current?.value ?? {}) as Partial<Record<WatchdogJob, number>>;
  const due = jobs.filter((job) => deps.now - (last[job] ?? 0) >= COOLDOWN_MS[job]);
  if (due.length > 0) {
    const next = { ...last, ...Object.fromEntries(due.map((job) => [job, deps.now])) };
    try {
      await deps.settings.set(WATCHDOG_SETTING, next, current?.etag);
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      return jobs.map((job) => ({ job, enqueued: false }));
    }
    for (const job of due) {
      const reason = `watchdog: ${findings
        .filter((f) => f.job === job)
        .map((f) => f.problem)
        .join('; ')}`.slice(0, 1_000);
      await deps.enqueue(message(job, reason, deps.now));
    }
  }
  return jobs.map((job) => {
    const enqueued = due.includes(job);
    const at = enqueued ? deps.now : last[job];
    return { job, enqueued, ...(at === undefined ? {} : { lastTriggeredAt: at }) };
  });
}

function message(job: WatchdogJob, reason: string, at: number): ChangeMessageInput {
  switch (job) {
    case 'renew':
      return { kind: 'renew', mode: 'ensure', reason, requestedBy: 'watchdog', receivedAt: at };
    case 'reconcile':
      return { kind: 'reconcile', reason, requestedBy: 'watchdog', receivedAt: at };
    case 'catchUp':
      return { kind: 'catchUp', reason, receivedAt: at };
  }
}
