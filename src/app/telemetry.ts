import { STORAGE_NAMES } from '../state/names.js';

/**
 * Where events go: the Functions `InvocationContext` (its `log`/`warn`) or `console`, which the
 * Functions Node worker forwards to Application Insights traces too.
 */
export interface LogSink {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * The structured log events the Bicep alerts query (infra/modules/alerts.bicep, docs/operations.md
 * "Alerts and the events behind them"): one trace per event, the name, one space, compact JSON.
 * Names and field names are a contract with those queries; fields are listed one by one so that
 * nothing else (a secret, a response body) can ride along.
 */
export const EVENT_NAMES = [
  'sync.queueDepth',
  'sync.guardTripped',
  'sync.runCompleted',
  'sync.subscriptionState',
  'sync.notificationDropped',
  'sync.gogsUnreachable',
  'sync.gogsRecovered',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

export type QueueName = typeof STORAGE_NAMES.queues.changes | typeof STORAGE_NAMES.queues.poison;
export type RunKind = 'reconcile' | 'catchUp' | 'renew' | 'reassert';
export type DropReason = 'clientStateMismatch' | 'wrongTenant' | 'invalid' | 'tooLarge';

export interface GuardTripped {
  heldCount: number;
  budget: number;
  /** DEPROVISION_WINDOW as text: `1h`, `30m`, `2d`. */
  window: string;
  cause: 'event' | 'reconcile';
  /** `budget` (the deprovision budget is spent) or `suspectGroup` (a removal resting on a suspect read). */
  reason: 'budget' | 'suspectGroup';
  runId?: string | undefined;
  objectId?: string | undefined;
}

export interface RunCompleted {
  kind: RunKind;
  runId: string | null;
  outcome: 'succeeded' | 'failed';
  durationMs: number;
  /** Actions planned (reconcile, reassert), changes enqueued (catch-up) or subscriptions handled (renew). */
  actions: number;
  /** Actions that failed in a run that otherwise completed. */
  failedActions?: number | undefined;
  dryRun?: boolean | undefined;
}

export interface SubscriptionState {
  resource: 'users' | 'groups';
  subscriptionId: string | null;
  /** ISO 8601 UTC, or null when there is no subscription. */
  expiresAt: string | null;
}

export interface NotificationDropped {
  reason: DropReason;
  /** The subscription id the dropped items named, or null when they named several or none. */
  subscriptionId: string | null;
  ours: boolean;
  count: number;
  channel: 'notifications' | 'lifecycle';
}

/** Writes one event: `name {json}`. Warnings go to `warn` so they stand out in the log stream too. */
function emit(log: LogSink, name: EventName, fields: object, level: 'log' | 'warn' = 'log'): void {
  const line = `${name} ${JSON.stringify(fields)}`;
  if (level === 'warn') log.warn(line);
  else log.log(line);
}

export function queueDepth(log: LogSink, queue: QueueName, depth: number): void {
  emit(log, 'sync.queueDepth', { queue, depth });
}

/** Both queues: `depth()` of the change queue answers `{changes, poison}`. */
export function queueDepths(log: LogSink, depth: { changes: number; poison: number }): void {
  queueDepth(log, STORAGE_NAMES.queues.changes, depth.changes);
  queueDepth(log, STORAGE_NAMES.queues.poison, depth.poison);
}

export function guardTripped(log: LogSink, e: GuardTripped): void {
  const { heldCount, budget, window, cause, reason, runId, objectId } = e;
  emit(log, 'sync.guardTripped', { heldCount, budget, window, cause, reason, runId, objectId }, 'warn');
}

export function runCompleted(log: LogSink, e: RunCompleted): void {
  const { kind, runId, outcome, durationMs, actions, failedActions, dryRun } = e;
  const fields = { kind, runId, outcome, durationMs, actions, failedActions, dryRun };
  emit(log, 'sync.runCompleted', fields, outcome === 'failed' ? 'warn' : 'log');
}

export function subscriptionState(log: LogSink, e: SubscriptionState): void {
  const { resource, subscriptionId, expiresAt } = e;
  emit(log, 'sync.subscriptionState', { resource, subscriptionId, expiresAt });
}

export function notificationDropped(log: LogSink, e: NotificationDropped): void {
  const { reason, subscriptionId, ours, count, channel } = e;
  const level = reason === 'clientStateMismatch' ? 'warn' : 'log';
  emit(log, 'sync.notificationDropped', { reason, subscriptionId, ours, count, channel }, level);
}

/** `lastError` is a status code or an error code (see `errorCode`), never a message or body. */
export function gogsUnreachable(
  log: LogSink,
  e: { since: number; failingForSeconds: number; lastError: string },
): void {
  const fields = { since: iso(e.since), failingForSeconds: e.failingForSeconds, lastError: e.lastError };
  emit(log, 'sync.gogsUnreachable', fields, 'warn');
}

export function gogsRecovered(log: LogSink, e: { since: number; downForSeconds: number }): void {
  emit(log, 'sync.gogsRecovered', { since: iso(e.since), downForSeconds: e.downForSeconds });
}

/**
 * Drops of one webhook request, aggregated: one event per reason and channel with a count, never
 * one per item (the webhook is the hot path).
 */
export class NotificationDrops {
  private readonly byReason = new Map<DropReason, { ids: Set<string>; ours: boolean; count: number }>();

  constructor(private readonly channel: NotificationDropped['channel']) {}

  add(reason: DropReason, subscriptionId: string | undefined, ours: boolean): void {
    const entry = this.byReason.get(reason) ?? { ids: new Set<string>(), ours: false, count: 0 };
    // Two ids are enough to know it is "several".
    if (subscriptionId && entry.ids.size < 2) entry.ids.add(subscriptionId);
    entry.ours ||= ours;
    entry.count++;
    this.byReason.set(reason, entry);
  }

  emit(log: LogSink | undefined): void {
    if (!log) return;
    for (const [reason, { ids, ours, count }] of this.byReason) {
      const subscriptionId = ids.size === 1 ? ([...ids][0] as string) : null;
      notificationDropped(log, { reason, subscriptionId, ours, count, channel: this.channel });
    }
  }
}

/** `1h`, `30m`, `2d`, `90s`: the largest unit that divides the window. */
export function windowText(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  for (const [unit, size] of units) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

/** A status code (`503`, `0` for unreachable) or an error class name: nothing from a response body. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number') {
    return String(error.status);
  }
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return /^[A-Za-z0-9_.-]{1,40}$/.test(error.code) ? error.code : 'error';
  }
  return error instanceof Error ? error.name : 'error';
}

function iso(at: number): string {
  return new Date(at).toISOString();
}
