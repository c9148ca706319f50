import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeMessage } from '../../../src/state/index.js';
import { G, startWorkerEnv, U, type WorkerEnv } from '../worker/workerEnv.js';

let env: WorkerEnv;

beforeAll(async () => {
  env = await startWorkerEnv({ RECHECK_DELAY: '1s' });
  await env.handle({ kind: 'reconcile' });
  // The first catch-up only sets the cursors (from latest).
  await env.handle({ kind: 'catchUp' });
  await env.clearQueues();
});

afterAll(async () => {
  await env?.close();
});

beforeEach(async () => {
  await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: true } });
  await env.handle({ kind: 'user', objectId: U.adele, source: 'operator' });
  await env.graphControl('POST', '/lag', { ms: 0 });
  await env.handle({ kind: 'catchUp' });
  await env.clearQueues();
});

/** Hands what is in the queue to the worker as the host would, until `until` holds or it is empty. */
async function pump(until: () => Promise<boolean>, kinds?: ChangeMessage['kind'][]): Promise<void> {
  for (let round = 0; round < 10 && !(await until()); round++) {
    const messages = await env.takeMessages({ atLeast: 1, timeoutMs: 3_000 });
    for (const m of messages) if (!kinds || kinds.includes(m.kind)) await env.handle(m);
  }
}

describe('lost and early notifications (DESIGN §3.2, §3.3)', () => {
  it('catch-up finds a change whose notification was lost and the worker converges', async () => {
    // No notification reaches the app (this env has no webhook): as if Graph dropped it.
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: false } });
    expect((await env.gogsUser('adele'))?.active).toBe(true);

    const result = await env.handle({ kind: 'catchUp' });

    expect(result).toMatchObject({ status: 'done' });
    const queued = await env.takeMessages();
    expect(queued).toContainEqual(
      expect.objectContaining({ kind: 'user', objectId: U.adele, source: 'catchUp' }),
    );
    for (const m of queued) await env.handle(m);
    const adele = await env.gogsUser('adele');
    expect(adele?.active).toBe(false);
    expect(adele?.teams).toEqual([]);
  });

  it('the delayed re-check absorbs read-after-write lag: the first read is stale, the re-check fixes it', async () => {
    await env.graphControl('POST', '/lag', { ms: 700 });
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: false } });

    const first = await env.handle({ kind: 'user', objectId: U.adele, source: 'notification' });

    expect(first).toMatchObject({ status: 'done' });
    expect((await env.gogsUser('adele'))?.active).toBe(true); // Graph answered the old version
    const recheck = await env.takeMessages({ atLeast: 1, timeoutMs: 5_000 });
    expect(recheck).toEqual([
      expect.objectContaining({ kind: 'user', objectId: U.adele, source: 'recheck' }),
    ]);
    for (const m of recheck) await env.handle(m);
    expect((await env.gogsUser('adele'))?.active).toBe(false);
  });

  it('an expired delta cursor enqueues a full reconcile that converges, and delta restarts from latest', async () => {
    await env.removeMember(G.engineering, U.adele);
    await env.graphControl('POST', '/delta/expire', {});

    await env.handle({ kind: 'catchUp' });

    const queued = await env.takeMessages();
    expect(queued).toEqual([
      expect.objectContaining({ kind: 'reconcile', reason: expect.stringMatching(/expired/) }),
    ]);
    await pump(async () => (await env.gogsUser('adele'))?.active === false, ['reconcile', 'user', 'group']);
    expect((await env.gogsUser('adele'))?.teams).toEqual([]);
    // The restarted cursor works and holds nothing from before.
    await env.handle({ kind: 'catchUp' });
    expect((await env.takeMessages()).filter((m) => m.kind === 'reconcile')).toEqual([]);
    await env.addMember(G.engineering, U.adele);
  });
});
