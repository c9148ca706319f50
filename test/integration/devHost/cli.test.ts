import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { FunctionInfo } from '../../../dev/functionsHost.js';
import { FIXTURE_APP, NEVER, REPO_ROOT, TRAP_APP } from './hostFixture.js';

// Plain node (tsx only compiles dev/*.ts): the fixture's .js files go through Node's own ESM loader,
// which is where the @azure/functions named-export trap bites (spec/tooling.md §2).
function runHost(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'dev/host.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function collect(stream: NodeJS.ReadableStream | null): string[] {
  const lines: string[] = [];
  if (stream) createInterface({ input: stream }).on('line', (line) => lines.push(line));
  return lines;
}

describe('dev/host.ts CLI under plain node', () => {
  it('prints a ready line first, serves the fixture app, logs invocations and stops on SIGTERM', async () => {
    const child = runHost(['--root', FIXTURE_APP, '--port', '0', '--function-key', 'cli-key'], {
      SCHEDULE: NEVER,
    });
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    const exited = once(child, 'exit');
    try {
      const [first] = (await once(
        createInterface({ input: child.stdout as NodeJS.ReadableStream }),
        'line',
      )) as [string];
      expect(first).toMatch(/^ready \{.*\}$/);
      const ready = JSON.parse(first.slice('ready '.length)) as {
        url: string;
        functions: FunctionInfo[];
        functionKey: string;
      };
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.functionKey).toBe('cli-key');
      expect(ready.functions.map((f) => f.name)).toEqual(
        expect.arrayContaining(['items', 'tick', 'jobs', 'secure']),
      );

      const item = await fetch(`${ready.url}/api/items/3?q=plain`);
      expect(await item.json()).toMatchObject({ id: '3', q: 'plain' });
      expect((await fetch(`${ready.url}/api/secure`)).status).toBe(401);
      expect(
        (await fetch(`${ready.url}/api/secure`, { headers: { 'x-functions-key': 'cli-key' } })).status,
      ).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stdout.some((l) => /^Executed 'Functions\.items' \(Succeeded/.test(l))).toBe(true);
    expect(stdout.at(-1)).toBe('stopping (SIGTERM)');
    // The queue function has no JOBS_QUEUE here: reported on stderr, the rest of the app runs.
    expect(stderr.some((l) => l.includes("The 'jobs' function is in error"))).toBe(true);
  });

  it('fails to start, naming the file, when an app imports a class as a named export', async () => {
    const child = runHost(['--root', TRAP_APP, '--port', '0']);
    const stderr = collect(child.stderr);

    const [code] = await once(child, 'exit');

    expect(code).toBe(1);
    expect(stderr.join('\n')).toMatch(/cannot load .*bad\.js: .*export named 'HttpResponse'/);
  });

  it('fails to start when package.json main matches no files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'empty-app-'));
    await writeFile(join(root, 'package.json'), '{"type":"module","main":"dist/functions/*.js"}');
    await writeFile(join(root, 'host.json'), '{"version":"2.0"}');
    const child = runHost(['--root', root, '--port', '0']);
    const stderr = collect(child.stderr);

    const [code] = await once(child, 'exit');

    expect(code).toBe(1);
    expect(stderr.join('\n')).toMatch(/"main" \(dist\/functions\/\*\.js\) matches no files/);
    await rm(root, { recursive: true, force: true });
  });
});
