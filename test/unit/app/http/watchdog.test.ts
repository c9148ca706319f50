import { describe, expect, it } from 'vitest';
import { longestGapMs } from '../../../../src/app/http/scheduleInterval.js';
import { watchdogFindings } from '../../../../src/app/http/watchdog.js';
import { triggerWatchdog } from '../../../../src/app/http/watchdogTrigger.js';
import type { ChangeMessageInput, RunRecord, SubscriptionRecord } from '../../../../src/state/index.js';
import { InMemorySettings } from './fakeSettings.js';

const NOW = Date.parse('2026-11-26T04:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function aSubscription(resource: string, expiresAt: number): SubscriptionRecord {
  return {
    id: `sub-${resource}`,
    resource,
    changeType: 'updated,deleted',
    expiresAt,
    notificationUrl: 'https://x/api/graph/notifications',
    lifecycleNotificationUrl: 'https://x/api/graph/lifecycle',
    clientStateVersion: 'current',
    createdAt: NOW - DAY,
  };
}

function aRun(kind: string, at: number, status: RunRecord['status'] = 'succeeded'): RunRecord {
  return { id: 'r', kind, startedAt: at, finishedAt: at, status, counts: {}, dryRun: false };
}

const healthy = {
  now: NOW,
  subscriptions: [aSubscription('/users', NOW + 28 * DAY), aSubscription('/groups', NOW + 28 * DAY)],
  reconcileGapMs: DAY,
  catchUpGapMs: 10 * 60_000,
  reconcile: { succeeded: aRun('reconcile', NOW - 20 * HOUR) },
  catchUp: { succeeded: aRun('catchUp', NOW - 5 * 60_000) },
};

describe('longestGapMs (NCRONTAB)', () => {
  it('reads the default schedules', () => {
    expect(longestGapMs('0 0 3 * * *', NOW)).toBe(DAY);
    expect(longestGapMs('0 */10 * * * *', NOW)).toBe(10 * 60_000);
    expect(longestGapMs('0 0 */6 * * *', NOW)).toBe(6 * HOUR);
    expect(longestGapMs('0 0 4 * * 0', NOW)).toBe(7 * DAY);
    expect(longestGapMs('0 0 4 * * SUN', NOW)).toBe(7 * DAY);
  });

  it('takes the longest of uneven gaps and lists', () => {
    expect(longestGapMs('0 0 1,5 * * *', NOW)).toBe(20 * HOUR);
    expect(longestGapMs('0 0 9-17 * * MON-FRI', NOW)).toBe(64 * HOUR);
  });

  it('gives undefined for what it cannot read', () => {
    expect(longestGapMs('every day', NOW)).toBeUndefined();
    expect(longestGapMs('0 0 3 31 2 *', NOW)).toBeUndefined();
  });
});

describe('watchdogFindings', () => {
  it('finds nothing when all is fresh', () => {
    expect(watchdogFindings(healthy)).toEqual([]);
  });

  it('wants a renew for a missing subscription or one expiring within 7 days', () => {
    const findings = watchdogFindings({
      ...healthy,
      subscriptions: [aSubscription('/users', NOW + 6 * DAY)],
    });
    expect(findings).toEqual([
      { job: 'renew', problem: 'the /users subscription expires in 144 h' },
      { job: 'renew', problem: 'no subscription for /groups' },
    ]);
  });

  it('wants a reconcile or catch-up older than twice its schedule, or never run', () => {
    const findings = watchdogFindings({
      ...healthy,
      reconcile: { succeeded: aRun('reconcile', NOW - 49 * HOUR) },
      catchUp: {},
    });
    expect(findings.map((f) => f.job)).toEqual(['reconcile', 'catchUp']);
    expect(findings[1]?.problem).toBe('no catchUp has succeeded yet');
  });

  it('waits for a run that started within the limit', () => {
    const findings = watchdogFindings({
      ...healthy,
      reconcile: {
        succeeded: aRun('reconcile', NOW - 3 * DAY),
        started: aRun('reconcile', NOW - HOUR, 'running'),
      },
    });
    expect(findings).toEqual([]);
  });
});

describe('triggerWatchdog', () => {
  it('enqueues each job once per cooldown, across callers', async () => {
    const settings = new InMemorySettings();
    const sent: ChangeMessageInput[] = [];
    const deps = (now: number) => ({ settings, enqueue: async (m: ChangeMessageInput) => sent.push(m), now });
    const findings = [
      { job: 'renew' as const, problem: 'no subscription for /users' },
      { job: 'renew' as const, problem: 'no subscription for /groups' },
      { job: 'reconcile' as const, problem: 'no reconcile has succeeded yet' },
    ];

    const first = await triggerWatchdog(findings, deps(NOW));
    const again = await triggerWatchdog(findings, deps(NOW + 60_000));
    const later = await triggerWatchdog(findings, deps(NOW + HOUR));

    expect(first).toEqual([
      { job: 'renew', enqueued: true, lastTriggeredAt: NOW },
      { job: 'reconcile', enqueued: true, lastTriggeredAt: NOW },
    ]);
    expect(again.every((r) => !r.enqueued)).toBe(true);
    expect(later.every((r) => r.enqueued)).toBe(true);
    expect(sent.map((m) => m.kind)).toEqual(['renew', 'reconcile', 'renew', 'reconcile']);
    expect(sent[0]).toMatchObject({
      kind: 'renew',
      mode: 'ensure',
      reason: 'watchdog: no subscription for /users; no subscription for /groups',
    });
  });

  it('leaves the enqueue to whoever wins the claim', async () => {
    const settings = new InMemorySettings();
    const sent: ChangeMessageInput[] = [];
    const findings = [{ job: 'catchUp' as const, problem: 'stale' }];
    const deps = { settings, enqueue: async (m: ChangeMessageInput) => sent.push(m), now: NOW };
    const results = await Promise.all([triggerWatchdog(findings, deps), triggerWatchdog(findings, deps)]);
    expect(sent).toHaveLength(1);
    expect(results.flat().filter((r) => r.enqueued)).toHaveLength(1);
  });

  it('does nothing without findings', async () => {
    const settings = new InMemorySettings();
    expect(await triggerWatchdog([], { settings, enqueue: async () => undefined, now: NOW })).toEqual([]);
    expect(settings.rows.size).toBe(0);
  });
});
