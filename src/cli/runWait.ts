import { type Backend, okJson } from './backend.js';
import { CommandError } from './cliIo.js';

const FINISHED = new Set(['succeeded', 'failed', 'partial']);

export interface RunRow {
  id: string;
  kind: string;
  status: string;
  counts?: Record<string, number>;
  error?: string;
  dryRun?: boolean;
  plan?: unknown;
}

/** Starts a job over the admin API (202 `{runId}`) and follows `GET /api/runs/{id}` until it finishes. */
export async function startAndWait(
  backend: Backend,
  path: string,
  body: unknown,
  options: { what: string; timeoutMs?: number; onWait?: (run: RunRow) => void },
): Promise<RunRow & { warning?: string }> {
  const started = okJson<{ runId?: string; warning?: string }>(
    await backend.call('POST', path, body),
    options.what,
  );
  if (!started.runId) throw new CommandError(`${options.what}: the admin API returned no run id`);
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  for (;;) {
    const run = okJson<RunRow>(
      await backend.call('GET', `/api/runs/${encodeURIComponent(started.runId)}`),
      `${options.what} (run ${started.runId})`,
    );
    if (FINISHED.has(run.status)) return { ...run, ...(started.warning ? { warning: started.warning } : {}) };
    if (Date.now() > deadline)
      throw new CommandError(
        `${options.what}: run ${started.runId} did not finish in time; follow it with \`status\``,
      );
    options.onWait?.(run);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
