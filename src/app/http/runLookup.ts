import type { RunRecord } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

const RUN_ID = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;
const DAY = 86_400_000;

export interface RunLookupDeps {
  get(id: string): Promise<RunRecord | undefined>;
  list(range: { from: number; to: number }): Promise<RunRecord[]>;
  now: number;
}

/** `GET /api/runs/{id}`: the run (status `queued` until the worker starts it), with its plan for dry runs. */
export async function lookupRun(id: string, deps: RunLookupDeps): Promise<ApiResult> {
  if (!RUN_ID.test(id)) return apiError(400, 'badRequest', 'a run id looks like 20261126T035012345Z-9f3a1c');
  const run = await deps.get(id);
  return run ? ok(run) : apiError(404, 'notFound', `no run ${id}`);
}

/** `GET /api/runs?days=N&kind=K`: runs started in the last N days (default 1, at most 31), newest first, without plans. */
export async function listRuns(query: URLSearchParams, deps: RunLookupDeps): Promise<ApiResult> {
  const days = Number(query.get('days') ?? '1');
  if (!Number.isInteger(days) || days < 1 || days > 31) {
    return apiError(400, 'badRequest', 'days must be a whole number from 1 to 31');
  }
  const kind = query.get('kind');
  const runs = await deps.list({ from: deps.now - days * DAY, to: deps.now });
  return ok({
    runs: runs.filter((run) => !kind || run.kind === kind).map(({ plan: _plan, ...run }) => run),
  });
}
