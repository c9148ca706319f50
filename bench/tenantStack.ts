import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startAzurite } from '../dev/azurite.js';
import { startGogsEmulator } from '../emulators/gogs/index.js';
import { type GeneratedTenant, generateTenant, type TenantShape } from '../emulators/graph/generateTenant.js';
import { type GraphEmulatorHandle, startGraphEmulator } from '../emulators/graph/index.js';
import { directoryAdmin } from '../test/e2e/support.js';
import { type CallCounts, gogsCounter, graphCounter } from './calls.js';
import type { WorkerReport } from './worker.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The worker's heap on the smallest Flex instance (512 MB). */
export const SMALL_INSTANCE_HEAP_MB = 256;
/** On the default instance (2048 MB), for tenants past what 256 MB holds. */
export const DEFAULT_INSTANCE_HEAP_MB = 1024;

export interface StepReport extends WorkerReport {
  gogs: CallCounts;
  graph: CallCounts;
}

export interface TenantStack {
  tenant: GeneratedTenant;
  graph: GraphEmulatorHandle;
  gogsUrl: string;
  /** Handles one message in a fresh worker process and counts the emulators' calls it caused. */
  run(message: Record<string, unknown>, timeoutMs: number): Promise<StepReport>;
  /** Graph's write API as a directory admin (changes send notifications and feed delta). */
  directory(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * A synthetic tenant (emulators/graph/generateTenant.ts) in the Graph emulator, an empty Gogs
 * emulator with `gogsLatencyMs` added per call, and Azurite; the emulators run in this process and
 * each message is handled by bench/worker.ts in a child, without the functions host.
 */
export async function startTenantStack(
  shape: TenantShape,
  gogsLatencyMs: number,
  settings: Record<string, string> = {},
  heapMb = SMALL_INSTANCE_HEAP_MB,
): Promise<TenantStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const worker = join(root, 'dist', 'bench', 'worker.js');
    if (!existsSync(worker)) throw new Error(`${worker} is missing: run npm run build first`);
    const tenant = generateTenant(shape);
    const azurite = await startAzurite();
    closers.push(() => azurite.stop());
    const graph = await startGraphEmulator({ port: 0, seed: tenant.seed });
    closers.push(() => graph.close());
    const gogs = await startGogsEmulator({ port: 0 });
    closers.push(() => gogs.close());
    if (gogsLatencyMs > 0) {
      const set = await fetch(`${gogs.url}/_emulator/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ latencyMs: gogsLatencyMs }),
      });
      if (!set.ok) throw new Error(`Gogs faults: ${set.status} ${await set.text()}`);
    }
    const env: Record<string, string> = {
      AZURE_TENANT_ID: graph.tenantId,
      GRAPH_CLIENT_ID: graph.clientId,
      GRAPH_CLIENT_SECRET: graph.clientSecret,
      GRAPH_BASE_URL: graph.url,
      GRAPH_AUTHORITY_HOST: graph.url,
      NOTIFICATION_URL: 'http://127.0.0.1:9/api/graph/notifications',
      GRAPH_CLIENT_STATE: randomBytes(24).toString('base64url'),
      GOGS_URL: gogs.url,
      GOGS_TOKEN: gogs.adminToken,
      SYNC_MAPPING: JSON.stringify(tenant.mapping),
      AzureWebJobsStorage: azurite.connectionString,
      NODE_EXTRA_CA_CERTS: graph.caCert,
      // A first sync of a big tenant is no deprovisioning storm, but set the budget explicitly.
      MAX_DEPROVISION: '1000000',
      MAX_DEPROVISION_PERCENT: '100',
      ...settings,
    };
    const gogsCalls = gogsCounter(gogs.url);
    const graphCalls = graphCounter(graph.server.calls);
    const admin = await directoryAdmin({
      functions: 'http://127.0.0.1:9',
      graph: graph.url,
      gogs: gogs.url,
      gogsAdminToken: gogs.adminToken,
      tenantId: graph.tenantId,
      clientId: graph.clientId,
      clientSecret: graph.clientSecret,
      caCert: graph.caCert,
      directoryAdmin: { clientId: graph.adminClientId, clientSecret: graph.adminClientSecret },
    });
    const run = async (message: Record<string, unknown>, timeoutMs: number): Promise<StepReport> => {
      await gogsCalls.reset();
      await graphCalls.reset();
      const report = await runWorker(worker, env, message, timeoutMs, heapMb);
      return { ...report, gogs: await gogsCalls.read(), graph: await graphCalls.read() };
    };
    return { tenant, graph, gogsUrl: gogs.url, run, directory: admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function runWorker(
  worker: string,
  env: Record<string, string>,
  message: Record<string, unknown>,
  timeoutMs: number,
  heapMb: number,
): Promise<WorkerReport> {
  // BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there (a run cut off writes none).
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  // The heap limit the app runs with (NODE_OPTIONS in infra/modules/functionApp.bicep: half the
  // instance memory); BENCH_WORKER_FLAGS adds more flags, e.g. another limit to try.
  const flags = [
    `--max-old-space-size=${heapMb}`,
    ...(process.env.BENCH_WORKER_FLAGS ?? '').split(' ').filter((flag) => flag !== ''),
  ];
  const child = spawn(process.execPath, [...profile, ...flags, worker, JSON.stringify(message)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
  });
  let report: WorkerReport | undefined;
  let last = { peakRssMb: 0, peakHeapMb: 0 };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    if (line.startsWith('result ')) report = JSON.parse(line.slice('result '.length)) as WorkerReport;
    if (line.startsWith('progress ')) last = JSON.parse(line.slice('progress '.length)) as typeof last;
  });
  return new Promise((resolve, reject) => {
    // Cut off at the bound: what it did so far (the calls) and its memory are still figures.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({
        wallMs: timeoutMs,
        status: 'timedOut',
        reason: `not done within ${timeoutMs / 1000} s`,
        ...last,
      });
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0 && report) resolve(report);
      else if (code !== null)
        reject(new Error(`${String(message.kind)} worker exited with ${code}: ${tail.join('\n')}`));
    });
  });
}
