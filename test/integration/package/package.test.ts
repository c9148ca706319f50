import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readZip, type ZipEntry } from './unzip.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));
/** CI passes Node 22 (the runtime Azure runs) after installing it (.ci/run). */
const NODE22 = process.env.NODE22_BIN;
const RUNTIMES = [process.execPath, ...(NODE22 ? [NODE22] : [])];

interface Binding {
  type: string;
  direction?: string;
  [key: string]: unknown;
}
interface Probe {
  node: string;
  main: string;
  files: string[];
  functions: { name: string; bindings: Record<string, Binding> }[];
}

const functionFiles = readdirSync(join(ROOT, 'functions'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();
/** Top-level packages the lockfile flags dev-only (semver, say, is a dev dependency and a production one). */
const devOnly = Object.entries(
  (
    JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    }
  ).packages,
).flatMap(([path, entry]) =>
  entry.dev && /^node_modules\/(@[^/]+\/)?[^/]+$/.test(path) ? [path.slice(13)] : [],
);

let work: string;
let app: string;
let entries: ZipEntry[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'package-test-'));
  const zip = join(work, 'entra-gogs-sync.zip');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), '--out', zip], {
    cwd: ROOT,
    stdio: 'pipe',
    timeout: 120_000,
  });
  entries = readZip(readFileSync(zip));
  // Outside the repository, so nothing resolves from its node_modules: the zip must be self-contained.
  app = join(work, 'app');
  for (const entry of entries) {
    const path = join(app, ...entry.name.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, entry.data);
    if (entry.mode) chmodSync(path, entry.mode);
  }
}, 150_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function probe(node: string, env: Record<string, string> = {}): Probe {
  const out = execFileSync(node, [PROBE, app], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(out) as Probe;
}

const trigger = (p: Probe, name: string) =>
  Object.values(p.functions.find((f) => f.name === name)?.bindings ?? {}).find((b) =>
    b.type.endsWith('Trigger'),
  );

describe('npm run package: the zip', () => {
  it('holds the production build, host.json and package.json, and nothing for development', () => {
    const names = entries.map((e) => e.name);
    const ours = names.filter((n) => !n.startsWith('node_modules/'));

    expect(names).toContain('host.json');
    expect(names).toContain('package.json');
    expect(ours.filter((n) => n.startsWith('dist/functions/')).sort()).toEqual(
      functionFiles.map((f) => `dist/functions/${f}.js`),
    );
    expect(ours.filter((n) => !/^(host\.json|package\.json|dist\/(functions|src)\/.+\.js)$/.test(n))).toEqual(
      [],
    );
    expect(names.filter((n) => /^dist\/(test|emulators|dev|bench)\//.test(n))).toEqual([]);
    expect(
      names.filter((n) => /(^|\/)local\.settings(\.sample)?\.json$|^\.certs\/|^[^/]+\.(pem|key)$/.test(n)),
    ).toEqual([]);
  });

  it('carries the production dependencies and none of the development ones', () => {
    const installed = new Set(
      entries.map((e) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(e.name)?.[1]).filter(Boolean),
    );
    for (const dependency of ['@azure/functions', '@azure/data-tables', 'got', 'zod']) {
      expect(installed).toContain(dependency);
    }
    expect(devOnly).toEqual(expect.arrayContaining(['vitest', 'typescript', 'azurite', 'tsx']));
    expect(devOnly.filter((p) => installed.has(p))).toEqual([]);
  });

  it("keeps package.json's main matching the functions, without scripts or dev dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ type: 'module', main: 'dist/functions/*.js' });
    expect(pkg).not.toHaveProperty('devDependencies');
    expect(pkg).not.toHaveProperty('scripts');
    expect(JSON.parse(readFileSync(join(app, 'host.json'), 'utf8'))).toMatchObject({ version: '2.0' });
  });
});

describe.each(RUNTIMES)('the unpacked zip under plain node (%s)', (node) => {
  it('registers every function under its file name, with its route, queue and schedule', () => {
    const p = probe(node);

    expect(p.files).toEqual(functionFiles.map((f) => `${f}.js`));
    expect(p.functions.map((f) => f.name).sort()).toEqual(functionFiles);
    expect(trigger(p, 'graphWebhook')).toMatchObject({
      type: 'httpTrigger',
      route: 'graph/notifications',
      methods: ['POST'],
      authLevel: 'function',
    });
    expect(trigger(p, 'adminStatus')).toMatchObject({
      type: 'httpTrigger',
      route: 'status',
      methods: ['GET'],
    });
    expect(trigger(p, 'applyChanges')).toMatchObject({
      type: 'queueTrigger',
      queueName: 'graph-changes',
      connection: 'AzureWebJobsStorage',
    });
    // The settings are unset: each timer falls back to its schema default (src/app/timerSchedule.ts).
    expect(trigger(p, 'reconcile')).toMatchObject({ type: 'timerTrigger', schedule: '0 0 3 * * *' });
    expect(trigger(p, 'catchUp')).toMatchObject({ type: 'timerTrigger', schedule: '0 */10 * * * *' });
    expect(trigger(p, 'renewSubscriptions')).toMatchObject({ type: 'timerTrigger', runOnStartup: true });
    // Every HTTP function's route and methods are those its source declares.
    for (const name of functionFiles) {
      const source = readFileSync(join(ROOT, 'functions', `${name}.ts`), 'utf8');
      const route = /route: '([^']+)'/.exec(source)?.[1];
      if (!route) continue;
      const methods = [...(/methods: \[([^\]]*)\]/.exec(source)?.[1]?.matchAll(/'(\w+)'/g) ?? [])].map(
        (m) => m[1],
      );
      expect(trigger(p, name), name).toMatchObject({ type: 'httpTrigger', route, methods });
    }
  });

  it('binds the timers to their app settings when those are set', () => {
    const p = probe(node, { RECONCILE_SCHEDULE: '0 30 2 * * *', CATCHUP_SCHEDULE: '0 */5 * * * *' });

    expect(trigger(p, 'reconcile')).toMatchObject({ schedule: '%RECONCILE_SCHEDULE%' });
    expect(trigger(p, 'catchUp')).toMatchObject({ schedule: '%CATCHUP_SCHEDULE%' });
  });
});
