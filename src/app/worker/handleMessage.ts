import { GogsApiError } from '../../gogs/gogsApiError.js';
import { type ChangeMessage, parseChangeMessage, RunStore } from '../../state/index.js';
import { retryDecision } from '../retryPolicy.js';
import { catchUpFlow } from './catchUpFlow.js';
import { RetryableOutcomesError } from './errors.js';
import { type FlowContext, type FlowResult, flowContext } from './flowContext.js';
import { GogsHealth } from './gogsHealth.js';
import { groupFlow } from './groupFlow.js';
import { lifecycleFlow } from './lifecycleFlow.js';
import { reconcileFlow } from './reconcileFlow.js';
import { renewFlow } from './renewFlow.js';
import { userFlow } from './userFlow.js';
import type { MessageMeta, WorkerApp } from './workerApp.js';

/** How long a message waits while the app is paused before it looks again. */
export const PAUSED_DELAY_MS = 60_000;

/** What became of one message. Every value means the host may delete the original. */
export type HandleResult =
  | (FlowResult & { kind: ChangeMessage['kind'] })
  | { status: 'deferred'; kind: ChangeMessage['kind']; delayMs: number }
  | { status: 'retried'; kind: ChangeMessage['kind']; attempt: number; delayMs: number; reason: string }
  | { status: 'poisoned'; kind: ChangeMessage['kind']; reason: string }
  | { status: 'dropped'; kind?: ChangeMessage['kind']; reason: string };

// Paused means nothing is written to Gogs; subscriptions and lifecycle events still run.
const PAUSABLE: ReadonlySet<ChangeMessage['kind']> = new Set([
  'user',
  'group',
  'reconcile',
  'catchUp',
  'reassert',
]);
const WRITES_GOGS: ReadonlySet<ChangeMessage['kind']> = new Set(['user', 'group', 'reconcile', 'reassert']);

/**
 * The queue worker (DESIGN §3.2): parses one `graph-changes` message and runs its flow. Handled
 * failures become values — a retry copy with `attempt + 1` and backoff, the poison queue past
 * RETRY_HORIZON, or a recorded drop — so the host deletes the original. It throws only when even
 * that could not be recorded, and then the host's `maxDequeueCount` takes over.
 */
export async function handleMessage(
  app: WorkerApp,
  input: unknown,
  meta: MessageMeta,
): Promise<HandleResult> {
  let parsed: ChangeMessage;
  try {
    parsed = parseChangeMessage(input);
  } catch (error) {
    return dropInvalid(app, meta, error);
  }
  const message = withRunId(parsed, app.clock.now());
  const ctx = flowContext(app, message, meta);
  if (PAUSABLE.has(message.kind) && (await app.stores.settings.pauseState()).paused) {
    await app.stores.queue.enqueue({ ...message, causeId: ctx.causeId }, { delayMs: PAUSED_DELAY_MS });
    return { status: 'deferred', kind: message.kind, delayMs: PAUSED_DELAY_MS };
  }
  let result: FlowResult;
  try {
    result = await dispatch(ctx);
  } catch (error) {
    return failed(ctx, error);
  }
  if (WRITES_GOGS.has(message.kind) && result.status === 'done') await new GogsHealth(app).succeeded(ctx);
  return { ...result, kind: message.kind };
}

function dispatch(ctx: FlowContext): Promise<FlowResult> {
  const { message } = ctx;
  switch (message.kind) {
    case 'user':
      return userFlow({ ...ctx, message });
    case 'group':
      return groupFlow({ ...ctx, message });
    case 'reconcile':
    case 'reassert':
      return reconcileFlow({ ...ctx, message });
    case 'catchUp':
      return catchUpFlow({ ...ctx, message });
    case 'renew':
      return renewFlow({ ...ctx, message });
    case 'lifecycle':
      return lifecycleFlow({ ...ctx, message });
  }
}

/** Runs get their id before the first attempt, so retries restart the same run. */
function withRunId(message: ChangeMessage, now: number): ChangeMessage {
  if (message.kind !== 'reconcile' && message.kind !== 'reassert' && message.kind !== 'catchUp')
    return message;
  return message.runId ? message : { ...message, runId: RunStore.newId(now) };
}

async function failed(ctx: FlowContext, error: unknown): Promise<HandleResult> {
  const { app, message } = ctx;
  const now = app.clock.now();
  if ((error instanceof GogsApiError && error.retryable) || error instanceof RetryableOutcomesError) {
    // Bookkeeping for the after-outage reconcile; it must not keep the message from its retry.
    await new GogsHealth(app).failed(error).catch(() => undefined);
  }
  const decision = retryDecision(
    { attempt: message.attempt, receivedAt: message.redrivenAt ?? message.receivedAt },
    error,
    now,
    app.config.timing,
  );
  const copy = { ...message, causeId: ctx.causeId };
  switch (decision.action) {
    case 'retry':
      await app.stores.queue.enqueue({ ...copy, attempt: decision.attempt }, { delayMs: decision.delayMs });
      return {
        status: 'retried',
        kind: message.kind,
        attempt: decision.attempt,
        delayMs: decision.delayMs,
        reason: reasonOf(error),
      };
    case 'poison':
      await app.stores.queue.sendToPoison(copy, decision.reason, now);
      await auditEvent(app, 'messagePoisoned', ctx, decision.reason);
      return { status: 'poisoned', kind: message.kind, reason: decision.reason };
    case 'drop':
      await app.stores.failures.record({
        id: `message:${message.kind}:${'objectId' in message ? message.objectId : ctx.causeId}`,
        kind: message.kind,
        message: decision.reason,
        at: now,
        cause: `${ctx.cause.type}:${ctx.cause.id}`,
        ...('objectId' in message ? { objectId: message.objectId } : {}),
      });
      await auditEvent(app, 'messageDropped', ctx, decision.reason);
      return { status: 'dropped', kind: message.kind, reason: decision.reason };
  }
}

async function dropInvalid(app: WorkerApp, meta: MessageMeta, error: unknown): Promise<HandleResult> {
  const reason = reasonOf(error);
  const at = app.clock.now();
  await app.stores.failures.record({
    id: `message:${meta.messageId}`,
    kind: 'invalidMessage',
    message: reason,
    at,
  });
  await app.stores.audit.write([
    {
      type: 'event',
      kind: 'messageDropped',
      status: 'failed',
      appliedAt: at,
      target: meta.messageId,
      reason,
    },
  ]);
  return { status: 'dropped', reason };
}

async function auditEvent(app: WorkerApp, kind: string, ctx: FlowContext, reason: string): Promise<void> {
  const { message } = ctx;
  await app.stores.audit.write([
    {
      type: 'event',
      kind,
      status: 'failed',
      appliedAt: app.clock.now(),
      reason: reason.slice(0, 2_000),
      cause: ctx.cause,
      receivedAt: message.receivedAt,
      target: 'objectId' in message ? message.objectId : message.kind,
      ...('objectId' in message ? { objectId: message.objectId } : {}),
    },
  ]);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
