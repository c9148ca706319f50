import { budgetLimit } from '../../sync/guard.js';
import { policyFromConfig } from '../../sync/policy.js';
import type { HttpRuntime } from './processRuntime.js';
import { longestGapMs } from './scheduleInterval.js';
import { settingsRows } from './settingsRows.js';
import type { StatusDeps } from './status.js';
import { triggerWatchdog } from './watchdogTrigger.js';
import { readWebhookCounts } from './webhookCounters.js';

const RESIDUAL_WINDOW_MS = 7 * 86_400_000;
const RESIDUAL_RECORDS = 2_000;
/** The reconcile's lease name (src/app/worker): one run at a time. */
const RECONCILE_LEASE = 'reconcile';

/** `buildStatus`'s reads over the process runtime: state only, no Graph or Gogs call. */
export function statusSources(rt: HttpRuntime, now: number): StatusDeps {
  const { config, stores } = rt;
  const policy = policyFromConfig(config);
  return {
    now,
    reconcileGapMs: longestGapMs(config.schedules.reconcile, now),
    catchUpGapMs: longestGapMs(config.schedules.catchUp, now),
    budget: {
      limit: (managedUsers) => budgetLimit(policy, managedUsers),
      windowMs: policy.deprovisionWindowMs,
      used: () => stores.sync.budget.used(now, policy.deprovisionWindowMs),
    },
    subscriptions: () => stores.subscriptions.list(),
    latestRun: (kind, which) => stores.runs.latest(kind, which),
    depth: () => stores.queue.depth(),
    held: () => stores.sync.listHeld({ status: 'held' }),
    pause: () => stores.settings.pauseState(),
    failures: () => stores.failures.list(),
    identities: () => stores.sync.listIdentities(),
    residualRecords: async () =>
      (
        await stores.audit.table.query({
          from: now - RESIDUAL_WINDOW_MS,
          to: now,
          newestFirst: true,
          limit: RESIDUAL_RECORDS,
        })
      ).filter((record) => record.residual !== undefined),
    webhook: () => readWebhookCounts(stores.settings),
    reconcileLease: () => stores.sync.leases.holder(RECONCILE_LEASE),
    trigger: (findings) =>
      triggerWatchdog(findings, {
        settings: settingsRows(stores.settings, stores.clients.table('settings')),
        enqueue: (m) => stores.queue.enqueue(m),
        now,
      }),
    // The Functions Node worker forwards console to Application Insights traces.
    log: console,
  };
}
