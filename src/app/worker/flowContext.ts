import type { Cause } from '../../domain/actions.js';
import type { ObjectKey } from '../../domain/types.js';
import type { ChangeMessage, ChangeMessageInput } from '../../state/index.js';
import type { ApplyDeps } from '../../sync/applyPlan.js';
import type { MessageMeta, WorkerApp } from './workerApp.js';

/** One message being handled: the app, the message, and the cause its audit records carry. */
export interface FlowContext<M extends ChangeMessage = ChangeMessage> {
  app: WorkerApp;
  message: M;
  meta: MessageMeta;
  /** `{type: source, id: causeId ?? messageId}`; runs use their run id instead. */
  cause: Cause;
  /** The id retries, re-checks and follow-ups keep, so the audit links them to the first message. */
  causeId: string;
}

export function flowContext<M extends ChangeMessage>(app: WorkerApp, message: M, meta: MessageMeta) {
  const runId = 'runId' in message ? message.runId : undefined;
  const causeId = message.causeId ?? runId ?? meta.messageId;
  return {
    app,
    message,
    meta,
    cause: { type: causeType(message), id: causeId },
    causeId,
  } satisfies FlowContext<M>;
}

/** A message to enqueue, less what `enqueueFollowUp` fills in. */
export type FollowUpInput = ChangeMessageInput extends infer M
  ? M extends ChangeMessageInput
    ? Omit<M, 'receivedAt'>
    : never
  : never;

/** A follow-up message of this one (same cause id), received now. */
export async function enqueueFollowUp(
  ctx: FlowContext,
  input: FollowUpInput,
  delayMs?: number,
): Promise<void> {
  const message = { ...input, receivedAt: ctx.app.clock.now(), causeId: ctx.causeId } as ChangeMessageInput;
  await ctx.app.stores.queue.enqueue(message, delayMs === undefined ? {} : { delayMs });
}

/** `applyPlan`'s dependencies; a superseded object gets a fresh plan of its own through the queue. */
export function applyDeps(ctx: FlowContext): ApplyDeps {
  const { app } = ctx;
  return {
    git: app.gogs,
    state: app.stores.sync,
    directory: app.directory,
    clock: app.clock,
    policy: app.policy,
    requeue: async (key: ObjectKey) => {
      const colon = key.indexOf(':');
      const kind = key.slice(0, colon) === 'group' ? 'group' : 'user';
      await enqueueFollowUp(ctx, { kind, objectId: key.slice(colon + 1), source: 'recheck' });
    },
  };
}

/** `cause.type:cause.id`, the form held actions and failure rows keep. */
export function causeText(cause: Cause): string {
  return `${cause.type}:${cause.id}`;
}

/** What handling one message came to; failures are thrown and turned into retries by the caller. */
export interface FlowResult {
  status: 'done' | 'skipped';
  reason?: string;
  /** Outcome counts per status, when actions were applied. */
  counts?: Record<string, number>;
  runId?: string;
}

/**
 * The first delivery of a first attempt: only then may a message be skipped because its object
 * was handled after it arrived. A retry or a redelivery after a crash may have marked the object
 * itself before failing, so it must run.
 */
export function isFirstDelivery(ctx: FlowContext): boolean {
  return ctx.message.attempt === 0 && ctx.meta.dequeueCount <= 1 && ctx.message.redrivenAt === undefined;
}

/** Object changes name their source; jobs are a catch-up, a lifecycle notification, an operator's or a timer's run. */
function causeType(message: ChangeMessage): Cause['type'] {
  switch (message.kind) {
    case 'user':
    case 'group':
      return message.source;
    case 'catchUp':
      return 'catchUp';
    case 'lifecycle':
      return 'notification';
    case 'reconcile':
    case 'renew':
      return message.requestedBy && message.requestedBy !== 'timer' ? 'operator' : 'reconcile';
    case 'reassert':
      return 'reconcile';
  }
}
