/** The admin API calls `npm start` makes once the host is up (DESIGN §6). */

const FINISHED = new Set(['succeeded', 'failed', 'partial']);

async function api(functions: string, method: string, path: string): Promise<unknown> {
  const response = await fetch(`${functions}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    ...(method === 'POST' ? { body: '{}' } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Starts a long job through the admin API and waits until its run has finished. */
export async function waitForRun(
  functions: string,
  method: string,
  path: string,
  timeoutMs = 120_000,
): Promise<void> {
  const started = (await api(functions, method, path)) as { runId?: string };
  if (!started?.runId) throw new Error(`${method} ${path} returned no runId`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const run = (await api(functions, 'GET', `/api/runs/${encodeURIComponent(started.runId)}`)) as {
      status?: string;
      error?: string;
    };
    if (run?.status && FINISHED.has(run.status)) {
      if (run.status === 'failed')
        throw new Error(`${path}: run ${started.runId} failed: ${run.error ?? 'no reason given'}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path}: run ${started.runId} did not finish within ${timeoutMs / 1000} s`);
}

interface AuditLine {
  id: string;
  type: string;
  kind: string;
  status: string;
  username?: string;
  target?: string;
  latencyMs?: number;
}

/** Prints one line per applied change, read from the audit trail, while `going()` holds. */
export async function followAudit(
  functions: string,
  since: number,
  print: (line: string) => void,
  going: () => boolean,
): Promise<void> {
  const seen = new Set<string>();
  while (going()) {
    try {
      const body = (await api(functions, 'GET', `/api/audit?since=${since}&order=asc&format=json`)) as {
        records?: AuditLine[];
      };
      const entries = body?.records ?? [];
      for (const entry of entries) {
        if (seen.has(entry.id) || entry.type !== 'action') continue;
        seen.add(entry.id);
        const latency = entry.latencyMs === undefined ? '' : ` (${entry.latencyMs} ms)`;
        print(
          `${entry.status} ${entry.kind} ${entry.username ?? ''}${entry.target ? ` ${entry.target}` : ''}${latency}`,
        );
      }
    } catch (error) {
      process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
