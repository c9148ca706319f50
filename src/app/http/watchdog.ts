import type { RunRecord, SubscriptionRecord } from '../../state/index.js';

export const SUBSCRIPTION_MARGIN_MS = 7 * 86_400_000;
/** Graph subscriptions the app keeps (src/graph/subscriptionManager.ts). */
const RESOURCES = ['users', 'groups'];

export type WatchdogJob = 'renew' | 'reconcile' | 'catchUp';

export interface WatchdogFinding {
  job: WatchdogJob;
  problem: string;
}

export interface WatchdogInput {
  now: number;
  subscriptions: readonly SubscriptionRecord[];
  /** Longest gap between two scheduled runs; undefined when the schedule can't be read. */
  reconcileGapMs: number | undefined;
  catchUpGapMs: number | undefined;
  reconcile: { started?: RunRecord | undefined; succeeded?: RunRecord | undefined };
  catchUp: { started?: RunRecord | undefined; succeeded?: RunRecord | undefined };
}

/**
 * DESIGN §3.4 watchdog, pure: a subscription missing or expiring within 7 days wants a renew; a
 * reconcile or catch-up that last succeeded more than twice its schedule ago (or never) wants a
 * run — unless one started within that time and may still be going (timers on Flex have been seen
 * to stop silently; a queued run is enough).
 */
export function watchdogFindings(input: WatchdogInput): WatchdogFinding[] {
  const findings: WatchdogFinding[] = [];
  for (const resource of RESOURCES) {
    const ours = input.subscriptions.filter((s) => s.resource.replace(/^\//, '').toLowerCase() === resource);
    const latest = Math.max(...ours.map((s) => s.expiresAt), Number.NEGATIVE_INFINITY);
    if (ours.length === 0) findings.push({ job: 'renew', problem: `no subscription for /${resource}` });
    else if (latest - input.now < SUBSCRIPTION_MARGIN_MS) {
      const when = latest <= input.now ? 'expired' : `expires in ${hours(latest - input.now)} h`;
      findings.push({ job: 'renew', problem: `the /${resource} subscription ${when}` });
    }
  }
  const stale = (job: 'reconcile' | 'catchUp', gap: number | undefined, runs: WatchdogInput['reconcile']) => {
    if (gap === undefined) return;
    const limit = 2 * gap;
    const succeeded = runs.succeeded?.finishedAt ?? runs.succeeded?.startedAt;
    if (succeeded !== undefined && input.now - succeeded <= limit) return;
    if (runs.started && input.now - runs.started.startedAt <= limit) return;
    findings.push({
      job,
      problem:
        succeeded === undefined
          ? `no ${job} has succeeded yet`
          : `the last ${job} succeeded ${hours(input.now - succeeded)} h ago, over twice its schedule (${hours(gap)} h)`,
    });
  };
  stale('reconcile', input.reconcileGapMs, input.reconcile);
  stale('catchUp', input.catchUpGapMs, input.catchUp);
  return findings;
}

function hours(ms: number): number {
  return Math.round((ms / 3_600_000) * 10) / 10;
}
