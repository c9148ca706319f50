import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startGogsEmulator } from '../emulators/gogs/index.js';
import { startGraphEmulator } from '../emulators/graph/index.js';
import { startAzurite } from './azurite.js';
import { followAudit, waitForRun } from './startSteps.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_TENANT = join(root, 'dev', 'demoTenant.json');
// The demo tenant's groups (dev/demoTenant.json): Contractors is nested in Engineering.
const ENGINEERING = 'e0000000-0000-4000-8000-000000000001';
const PLATFORM_ADMINS = 'e0000000-0000-4000-8000-000000000003';

const USAGE = `usage: npm start [-- --port 7071]

Starts Azurite (in memory), the Graph emulator with the demo tenant, the Gogs emulator and the
local functions host; creates the subscriptions, runs one reconcile, prints "ready <json>", then
one line per applied change until stopped (Ctrl-C).`;

export interface LocalStack {
  ready: ReadyInfo;
  /** Prints (or collects) one line per applied change until `stop()`. */
  followChanges(print: (line: string) => void): Promise<void>;
  stop(): Promise<void>;
  /** The functions host's settings (secrets included): for tests that run the CLI in local mode. */
  env: Readonly<Record<string, string>>;
}

export interface ReadyInfo {
  functions: string;
  graph: string;
  gogs: string;
  gogsAdminToken: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caCert: string;
  directoryAdmin: { clientId: string | null; clientSecret: string | null };
}

/**
 * The whole sync on this machine (DESIGN §6): Azurite in memory, the Graph emulator with the demo
 * tenant, the Gogs emulator, the functions host on `port`; subscriptions created and one reconcile
 * run before it resolves. `npm start` and the e2e tests both use it.
 */
export async function startLocalStack(options: {
  port: number;
  hostLog?: (line: string) => void;
  /** `false` skips the initial reconcile (the CLI's tests plan the untouched demo tenant). */
  reconcile?: boolean;
  /** Extra settings for the host, over the defaults (e.g. a small `MAX_DEPROVISION`). */
  settings?: Record<string, string>;
}): Promise<LocalStack> {
  const stack: (() => Promise<unknown>)[] = [];
  let following = true;
  const stop = async () => {
    following = false;
    for (const close of stack.splice(0).reverse()) await close().catch(() => undefined);
  };
  try {
    const azurite = await startAzurite();
    stack.push(() => azurite.stop());
    const graph = await startGraphEmulator({ port: 0, seed: DEMO_TENANT });
    stack.push(() => graph.close());
    const gogs = await startGogsEmulator({ port: 0 });
    stack.push(() => gogs.close());

    const functions = `http://127.0.0.1:${options.port}`;
    const env: Record<string, string> = {
      AZURE_TENANT_ID: graph.tenantId,
      GRAPH_CLIENT_ID: graph.clientId,
      GRAPH_CLIENT_SECRET: graph.clientSecret,
      GRAPH_BASE_URL: graph.url,
      GRAPH_AUTHORITY_HOST: graph.url,
      // The emulator delivers over plain http on loopback, as Graph would over https to Azure.
      NOTIFICATION_URL: `${functions}/api/graph/notifications`,
      GRAPH_CLIENT_STATE: randomBytes(24).toString('base64url'),
      GOGS_URL: gogs.url,
      GOGS_TOKEN: gogs.adminToken,
      SYNC_MAPPING: JSON.stringify({
        scope: 'mappedGroups',
        siteAdminGroup: PLATFORM_ADMINS,
        teams: [{ group: ENGINEERING, org: 'contoso', team: 'engineering', permission: 'write' }],
      }),
      AzureWebJobsStorage: azurite.connectionString,
      // Read only when a process starts: the host is a child so that it trusts the Graph emulator.
      NODE_EXTRA_CA_CERTS: graph.caCert,
      ...options.settings,
    };
    const host = await startHost(
      options.port,
      env,
      // The change follower polls the audit route every second: its own invocations are noise.
      options.hostLog ??
        ((line) => line.includes("'Functions.adminAudit'") || process.stderr.write(`${line}\n`)),
    );
    stack.push(() => stopChild(host.child));

    await waitForRun(functions, 'POST', '/api/subscriptions/ensure');
    if (options.reconcile !== false) await waitForRun(functions, 'POST', '/api/reconcile');
    const since = Date.now();
    return {
      ready: {
        functions,
        graph: graph.url,
        gogs: gogs.url,
        gogsAdminToken: gogs.adminToken,
        tenantId: graph.tenantId,
        clientId: graph.clientId,
        clientSecret: graph.clientSecret,
        caCert: graph.caCert,
        // An app with write roles, to change the demo directory through Graph's own API.
        directoryAdmin: { clientId: graph.adminClientId, clientSecret: graph.adminClientSecret },
      },
      followChanges: (print) => followAudit(functions, since, print, () => following),
      stop,
      env,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** `npm start`: the local stack, its ready line, then one line per applied change. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7071' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65_535)
    throw new Error(`--port: not a port: ${values.port}`);
  const local = await startLocalStack({ port });
  const quit = () => void local.stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
  process.stdout.write(`ready ${JSON.stringify(local.ready)}\n`);
  await local.followChanges((line) => process.stdout.write(`${line}\n`));
}

async function startHost(
  port: number,
  env: Record<string, string>,
  log: (line: string) => void,
): Promise<{ child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'dev', 'host.ts'), '--port', String(port)],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`the functions host did not start: ${why}`));
    child.once('exit', (code) => fail(`it exited with code ${code}`));
    lines.on('line', (line) => {
      // Host lines go to the log (stderr for npm start): stdout carries only the ready line and
      // the applied changes.
      if (line.startsWith('ready ')) resolve();
      else log(line);
    });
    setTimeout(() => fail('no ready line within 60 s'), 60_000).unref();
  });
  return { child };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
