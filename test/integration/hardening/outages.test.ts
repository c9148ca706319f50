import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerEnv, U, type WorkerEnv } from '../worker/workerEnv.js';

let env: WorkerEnv;

beforeAll(async () => {
  env = await startWorkerEnv({ RETRY_BASE: '100ms', RETRY_HORIZON: '1h' });
  await env.handle({ kind: 'reconcile' });
  await env.clearQueues();
});

afterAll(async () => {
  await env?.gogsControl('DELETE', '/faults');
  await env?.close();
});

describe('outages against Azurite and the emulators (DESIGN §3.2)', () => {
  it('retries through the real queue while Gogs answers 503, poisons nothing, converges on the retry', async () => {
    await env.gogsControl('POST', '/faults', { errorRate: 1, statuses: [503] });
    await env.admin.request('PATCH', `/users/${U.alex}`, { body: { accountEnabled: false } });
    let result = await env.handle({ kind: 'user', objectId: U.alex, source: 'notification' });

    // The queue hands each copy back once its invisibility ends (100, 200, 400 ms; twenty intervals run in test/unit/hardening).
    const delays: number[] = [];
    while (result.status === 'retried' && delays.length < 3) {
      delays.push(result.delayMs);
      const [copy] = await env.takeMessages({ atLeast: 1, timeoutMs: 5_000 });
      if (!copy) throw new Error('the retry never became visible');
      if (delays.length === 3) await env.gogsControl('DELETE', '/faults'); // Gogs is back
      result = await env.handle(copy);
    }

    expect(delays).toEqual([100, 200, 400]);
    expect(result).toMatchObject({ status: 'done', kind: 'user' });
    expect(await env.poisonCount()).toBe(0);
    expect(await env.gogsUser('alex')).toMatchObject({ active: false, teams: [] });
  });

  it('re-drives a poisoned message, which then applies', async () => {
    await env.clearQueues();
    await env.admin.request('PATCH', `/users/${U.alex}`, { body: { accountEnabled: true } });
    await env.gogsControl('POST', '/faults', { errorRate: 1, statuses: [503] });
    const poisoned = await env.handle({
      kind: 'user',
      objectId: U.alex,
      source: 'notification',
      receivedAt: Date.now() - 2 * 3_600_000,
      attempt: 9,
    });
    expect(poisoned).toMatchObject({ status: 'poisoned' });
    expect(await env.poisonCount()).toBe(1);

    await env.gogsControl('DELETE', '/faults');
    const { redriven } = await env.app.stores.queue.redrivePoison();

    expect(redriven).toHaveLength(1);
    const [message] = await env.takeMessages({ atLeast: 1 });
    expect(message).toMatchObject({
      kind: 'user',
      objectId: U.alex,
      attempt: 0,
      redrivenAt: expect.any(Number),
    });
    expect(await env.handle(message as never)).toMatchObject({ status: 'done' });
    expect(await env.gogsUser('alex')).toMatchObject({ active: true });
    expect(await env.poisonCount()).toBe(0);
  });
});
