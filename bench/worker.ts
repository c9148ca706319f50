import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { buildApp } from '../src/app/composition.js';
import { handleMessage } from '../src/app/worker/index.js';

/** What one worker run reports on its last stdout line, `result <json>`. */
export interface WorkerReport {
  wallMs: number;
  status: string;
  counts?: Record<string, number>;
  reason?: string;
  /** Peak resident set of this whole process (start-up included), from getrusage and sampling. */
  peakRssMb: number;
  peakHeapMb: number;
}

const SAMPLE_MS = 25;
const PROGRESS_MS = 2_000;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

/**
 * One queue message handled in a process of its own (bench/tenant.ts spawns it), so that its
 * peak RSS is the worker's alone, as on a Flex instance: the emulators run in the parent.
 * The message is argv[2] as JSON; settings come from the environment, as in the host.
 */
async function main(): Promise<void> {
  const message = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  // The parent keeps the last of these, so a run cut off at its bound still reports its memory.
  const progress = setInterval(() => {
    process.stdout.write(
      `progress ${JSON.stringify({ peakRssMb: mb(peakRss), peakHeapMb: mb(peakHeap) })}\n`,
    );
  }, PROGRESS_MS);
  const caPath = process.env.NODE_EXTRA_CA_CERTS;
  const app = buildApp(process.env, undefined, caPath ? { graphCaPem: readFileSync(caPath, 'utf8') } : {});
  await app.stores.clients.ensure();
  const started = performance.now();
  const result = await handleMessage(
    app,
    { ...message, receivedAt: Date.now() },
    { messageId: `bench-${process.pid}`, dequeueCount: 1 },
  );
  const wallMs = Math.round(performance.now() - started);
  clearInterval(sampler);
  clearInterval(progress);
  sample();
  const report: WorkerReport = {
    wallMs,
    status: result.status,
    ...('counts' in result && result.counts ? { counts: result.counts } : {}),
    ...('reason' in result && result.reason ? { reason: result.reason } : {}),
    peakRssMb: Math.round(Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20),
    peakHeapMb: Math.round(peakHeap / 2 ** 20),
  };
  process.stdout.write(`result ${JSON.stringify(report)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`bench worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
