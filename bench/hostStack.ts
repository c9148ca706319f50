import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startAzurite } from '../dev/azurite.js';
import { waitForRun } from '../dev/startSteps.js';
import { startGogsEmulator } from '../emulators/gogs/index.js';
import { type GraphEmulatorHandle, type Seed, startGraphEmulator } from '../emulators/graph/index.js';
import { freePort } from '../test/e2e/support.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Timers stay off in a benchmark: a scheduled run in the middle would be measured as noise. */
const QUIET_TIMERS = ['catchUp', 'reconcile', 'reassert', 'renewSubscriptions'];

export interface HostStack {
  functions: string;
  graph: GraphEmulatorHandle;
  gogsUrl: string;
  gogsToken: string;
  clientState: string;
  storage: string;
  stop(): Promise<void>;
}

/**
 * The whole sync on loopback as `npm start` runs it (Azurite, both emulators, the functions host
 * on the built app, subscriptions ensured, one reconcile run), with the settings a benchmark must
 * fix: its own seed and mapping, a known clientState, the deprovision budget, functions disabled.
 */
export async function startHostStack(options: {
  seed: Seed;
  mapping: unknown;
  settings?: Record<string, string>;
  disabled?: string[];
}): Promise<HostStack> {
  const closers: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite();
    closers.push(() => azurite.stop());
    const graph = await startGraphEmulator({ port: 0, seed: options.seed });
    closers.push(() => graph.close());
    const gogs = await startGogsEmulator({ port: 0 });
    closers.push(() => gogs.close());
    const port = await freePort();
    const functions = `http://127.0.0.1:${port}`;
    const clientState = randomBytes(24).toString('base64url');
    const env: Record<string, string> = {
      AZURE_TENANT_ID: graph.tenantId,
      GRAPH_CLIENT_ID: graph.clientId,
      GRAPH_CLIENT_SECRET: graph.clientSecret,
      GRAPH_BASE_URL: graph.url,
      GRAPH_AUTHORITY_HOST: graph.url,
      NOTIFICATION_URL: `${functions}/api/graph/notifications`,
      GRAPH_CLIENT_STATE: clientState,
      GOGS_URL: gogs.url,
      GOGS_TOKEN: gogs.adminToken,
      SYNC_MAPPING: JSON.stringify(options.mapping),
      AzureWebJobsStorage: azurite.connectionString,
      NODE_EXTRA_CA_CERTS: graph.caCert,
      ...disabling(QUIET_TIMERS),
      ...options.settings,
    };
    let host = await startHost(port, env);
    closers.push(() => stopChild(host));
    // The admin API's runs go through the queue worker, so set-up needs it even if the benchmark doesn't.
    await waitForRun(functions, 'POST', '/api/subscriptions/ensure');
    await waitForRun(functions, 'POST', '/api/reconcile');
    if (options.disabled?.length) {
      await stopChild(host);
      host = await startHost(port, { ...env, ...disabling(options.disabled) });
    }
    return {
      functions,
      graph,
      gogsUrl: gogs.url,
      gogsToken: gogs.adminToken,
      clientState,
      storage: azurite.connectionString,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function disabling(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [`AzureWebJobs.${name}.Disabled`, 'true']));
}

async function startHost(port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'dev', 'host.ts'), '--port', String(port)],
    { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail: string[] = [];
  const keep = (line: string) => {
    tail.push(line);
    if (tail.length > 20) tail.shift();
  };
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', keep);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) =>
      reject(new Error(`the functions host did not start: ${why}\n${tail.join('\n')}`));
    child.once('exit', (code) => fail(`it exited with code ${code}`));
    const timer = setTimeout(() => fail('no ready line within 60 s'), 60_000);
    lines.on('line', (line) => {
      if (line.startsWith('ready ')) {
        clearTimeout(timer);
        resolve();
      } else keep(line);
    });
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}
