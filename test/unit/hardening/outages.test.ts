import { describe, expect, it } from 'vitest';
import type { WorkerApp } from '../../../src/app/worker/workerApp.js';
import { GogsApiError } from '../../../src/gogs/gogsApiError.js';
import { GraphApiError } from '../../../src/graph/graphApiError.js';
import type { ChangeMessage } from '../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { fakeWorld } from '../app/worker/fakeWorkerApp.js';
import { QueuePump } from './support.js';

const ENGINEERING = anObjectId(8001);
const RETRY_BASE = 100;

/** Every call of `target` fails with `failure()` while it returns an error. */
function failing<T extends object>(target: T, failure: () => Error | undefined): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const error = failure();
        if (error) throw error;
        return value.apply(obj, args);
      };
    },
  });
}

function world() {
  const w = fakeWorld(
    aPolicy({ mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }] }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  w.directory.users.set(adele.id, adele);
  w.directory.groups.set(ENGINEERING, new Set([adele.id]));
  const faults = {
    gogs: undefined as Error | undefined,
    graph: undefined as Error | undefined,
    /** Fail only this many more Gogs calls, then recover. */
    gogsBudget: Number.POSITIVE_INFINITY,
  };
  const app: WorkerApp = {
    ...w.app,
    config: {
      ...w.app.config,
      timing: { ...w.app.config.timing, retryBaseMs: RETRY_BASE, retryHorizonMs: 24 * 3_600_000 },
    },
    gogs: failing(w.git, () => {
      if (!faults.gogs || faults.gogsBudget <= 0) return undefined;
      faults.gogsBudget--;
      return faults.gogs;
    }),
    directory: failing(w.directory, () => faults.graph),
  };
  return { ...w, app, adele, faults, pump: new QueuePump(w, app) };
}

const notRecheck = (m: ChangeMessage) => !('source' in m) || m.source !== 'recheck' || m.attempt > 0;

describe('outages (DESIGN §3.2 retry policy in code)', () => {
  it('Gogs failing for 20 retry intervals poisons nothing and converges on recovery with no timer', async () => {
    const w = world();
    w.pump.send({ kind: 'user', objectId: w.adele.id, source: 'operator' });
    w.faults.gogs = new GogsApiError(503, 'GET /users/search', 'Service Unavailable');

    // The queue hands each retry back after its delay; the clock jumps there (no real waiting).
    const delays: number[] = [];
    while (delays.length < 20) {
      const message = w.pump.take();
      if (!message) {
        const next = w.pump.pending.sort((a, b) => a.dueAt - b.dueAt)[0];
        if (!next) throw new Error('the message vanished');
        w.clock.advance(next.dueAt - w.clock.now());
        continue;
      }
      const result = await w.pump.deliver(message);
      expect(result.status, `attempt ${delays.length}`).toBe('retried');
      if (result.status === 'retried') delays.push(result.delayMs);
    }
    expect(delays[0]).toBe(RETRY_BASE);
    expect(delays[1]).toBe(2 * RETRY_BASE);
    expect(w.queue.poisoned).toEqual([]);
    expect(w.git.hasUser('adele')).toBe(false);

    w.faults.gogs = undefined;
    // The pending retry is the only message; the reconcile the recovery enqueues runs too.
    await w.pump.runUntilIdle(notRecheck);
    expect(w.git.teamMembers('acme', 'engineering')).toEqual(['adele']);
    expect(w.queue.poisoned).toEqual([]);
    expect(w.pump.results.some((r) => r.kind === 'reconcile' && r.status === 'done')).toBe(true);
  });

  it('honours Graph 429 Retry-After (fractional, as ms rounded up) and backs off without one', async () => {
    const w = world();
    w.pump.send({ kind: 'user', objectId: w.adele.id, source: 'operator' });
    const throttled = (retryAfterMs?: number) =>
      new GraphApiError('GET /users/{id}', {
        status: 429,
        code: 'TooManyRequests',
        graphMessage: 'throttled',
        requestId: undefined,
        location: undefined,
        retryAfterMs,
      } as ConstructorParameters<typeof GraphApiError>[1]);

    w.faults.graph = throttled(2_128); // Retry-After: 2.128
    const first = await w.pump.deliver(w.pump.take() as ChangeMessage);
    expect(first).toMatchObject({ status: 'retried', delayMs: 2_128 });
    expect(w.pump.take()).toBeUndefined();

    w.clock.advance(2_128);
    w.faults.graph = throttled(undefined); // no Retry-After: the code's own backoff, 2^1 × base
    const second = await w.pump.deliver(w.pump.take() as ChangeMessage);
    expect(second).toMatchObject({ status: 'retried', delayMs: 2 * RETRY_BASE });

    w.faults.graph = undefined;
    await w.pump.runUntilIdle(notRecheck);
    expect(w.git.teamMembers('acme', 'engineering')).toEqual(['adele']);
  });

  it('poisons past RETRY_HORIZON, and a re-driven message is applied', async () => {
    const w = world();
    const app: WorkerApp = {
      ...w.app,
      config: { ...w.app.config, timing: { ...w.app.config.timing, retryHorizonMs: 10_000 } },
    };
    const pump = new QueuePump(w, app);
    pump.send({ kind: 'user', objectId: w.adele.id, source: 'operator' });
    w.faults.gogs = new GogsApiError(502, 'GET /users/search', 'Bad Gateway');
    await pump.runUntilIdle(notRecheck);
    expect(w.queue.poisoned).toHaveLength(1);
    expect(w.git.hasUser('adele')).toBe(false);

    // Re-drive as ChangeQueue.redrivePoison does: attempt 0, a fresh horizon from `redrivenAt`.
    // Gogs is still flaky once: the re-driven message must retry, not go straight back to poison.
    w.clock.advance(60_000);
    w.faults.gogsBudget = 1;
    const [poisoned] = w.queue.poisoned.splice(0);
    if (!poisoned) throw new Error('no poisoned message');
    const { poison: _poison, ...rest } = poisoned.message;
    pump.send({ ...rest, attempt: 0, redrivenAt: w.clock.now() });
    await pump.runUntilIdle(notRecheck);
    expect(pump.results.at(-1)?.status).toBe('done');
    expect(w.git.teamMembers('acme', 'engineering')).toEqual(['adele']);
    expect(w.queue.poisoned).toEqual([]);
  });
});
