export { CATCH_UP_LEASE, LAST_CATCH_UP } from './catchUpFlow.js';
export { GroupReadFailedError, RetryableOutcomesError } from './errors.js';
export { GOGS_FAILING_SINCE, GOGS_OUTAGE_MS } from './gogsHealth.js';
export { INLINE_FOLLOW_UPS } from './groupFlow.js';
export { type HandleResult, handleMessage, PAUSED_DELAY_MS } from './handleMessage.js';
export { RECONCILE_LEASE, RUN_APPLY_BUDGET_MS, RUN_HARD_STOP_MS, RUN_MIN_APPLY_MS } from './reconcileFlow.js';
export { RENEW_LEASE } from './renewFlow.js';
export { enqueueScheduledJob, type ScheduledKind } from './scheduledJob.js';
export type { MessageMeta, WorkerApp } from './workerApp.js';
