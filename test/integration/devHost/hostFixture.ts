import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type FunctionsHost,
  type FunctionsHostOptions,
  startFunctionsHost,
} from '../../../dev/functionsHost.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const FIXTURE_APP = resolve(REPO_ROOT, 'test/fixtures/functionsApp');
export const TRAP_APP = resolve(FIXTURE_APP, 'trap');

/** A schedule that never comes round during a test (January 1st, midnight). */
export const NEVER = '0 0 0 1 1 *';

export interface FixtureHost extends FunctionsHost {
  lines: string[];
}

/** Starts the local host on the fixture app, on a free port, collecting its log lines (and passing them to `log`). */
export async function startFixtureHost(options: Partial<FunctionsHostOptions> = {}): Promise<FixtureHost> {
  const lines: string[] = [];
  const host = await startFunctionsHost({
    root: FIXTURE_APP,
    port: 0,
    ...options,
    log: (line) => {
      lines.push(line);
      options.log?.(line);
    },
    env: { SCHEDULE: NEVER, ...options.env },
  });
  return Object.assign(host, { lines });
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Lines logged by one function (`[name] ...`), without the prefix. */
export function functionLines(lines: string[], name: string): string[] {
  const prefix = `[${name}] `;
  return lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}
