import type { ChangeMessageInput } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';
import type { QueuedRun } from './queuedRuns.js';

export interface RunRequestDeps {
  runs: {
    newId(at: number): string;
    queue(run: QueuedRun): Promise<void>;
    fail(id: string, at: number, error: string): Promise<void>;
  };
  enqueue(message: ChangeMessageInput): Promise<unknown>;
  now: number;
  by: string;
}

/**
 * A long job asked for over the admin API (DESIGN §2: routes never do long work): a run row
 * `queued`, then one message carrying the run id; 202 `{runId, kind, status}`. A failed enqueue
 * marks the run failed and answers 503.
 */
export async function requestRun(
  run: { kind: string; dryRun?: boolean },
  message: (runId: string) => ChangeMessageInput,
  deps: RunRequestDeps,
  extra: Record<string, unknown> = {},
): Promise<ApiResult> {
  const id = deps.runs.newId(deps.now);
  await deps.runs.queue({
    id,
    kind: run.kind,
    at: deps.now,
    dryRun: run.dryRun ?? false,
    requestedBy: deps.by,
  });
  try {
    await deps.enqueue(message(id));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await deps.runs.fail(id, deps.now, `could not be enqueued: ${reason}`);
    return apiError(503, 'unavailable', `the ${run.kind} could not be enqueued; retry later`, {
      'retry-after': '5',
    });
  }
  return {
    ...ok({ runId: id, kind: run.kind, status: 'queued', dryRun: run.dryRun ?? false, ...extra }, 202),
    headers: { location: `/api/runs/${encodeURIComponent(id)}` },
  };
}
