import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GOGS_FAILING_SINCE } from '../../../src/app/worker/index.js';
import { RunStore } from '../../../src/state/index.js';
import { NotificationReceiver } from '../graph/graphEnv.js';
import { G, startWorkerEnv, U, type WorkerEnv } from './workerEnv.js';

let env: WorkerEnv;
let receiver: NotificationReceiver;

beforeAll(async () => {
  receiver = await new NotificationReceiver().start();
  env = await startWorkerEnv({ NOTIFICATION_URL: receiver.notificationUrl });
  await env.handle({ kind: 'reconcile' });
  await env.clearQueues();
});

afterAll(async () => {
  await env?.close();
  await receiver?.close();
});

describe('applyChanges: retries in code, not in dequeue counts', () => {
  it('re-enqueues a copy with attempt + 1 and a delay while Gogs answers 503, and poisons nothing', async () => {
    await env.gogsControl('POST', '/faults', { errorRate: 1, statuses: [503] });
    await env.admin.request('PATCH', `/users/${U.alex}`, { body: { accountEnabled: false } });

    const first = await env.handle({ kind: 'user', objectId: U.alex, source: 'notification' });

    expect(first).toMatchObject({ status: 'retried', attempt: 1, delayMs: 100 });
    const [copy, ...rest] = await env.takeMessages({ atLeast: 1 });
    expect(rest).toEqual([]);
    expect(copy).toMatchObject({ kind: 'user', objectId: U.alex, attempt: 1, causeId: expect.any(String) });
    expect(await env.poisonCount()).toBe(0);
    const failing = await env.app.stores.settings.get(GOGS_FAILING_SINCE);
    expect(failing?.value).toMatchObject({ since: expect.any(Number) });

    const second = await env.handle({ ...(copy as object), kind: 'user' });
    expect(second).toMatchObject({ status: 'retried', attempt: 2, delayMs: 200 });
    await env.clearQueues();
  });

  it('sends a message still failing past RETRY_HORIZON to the poison queue, with an audit record', async () => {
    const receivedAt = Date.now() - 2 * 60 * 60_000;

    const result = await env.handle({
      kind: 'user',
      objectId: U.alex,
      source: 'notification',
      receivedAt,
      attempt: 7,
    });

    expect(result).toMatchObject({ status: 'poisoned' });
    expect(await env.poisonCount()).toBe(1);
    const rows = await env.app.stores.audit.table.query({ from: Date.now() - 60_000, to: Date.now() });
    expect(rows).toContainEqual(expect.objectContaining({ kind: 'messagePoisoned', objectId: U.alex }));
    expect(await env.takeMessages()).toEqual([]);
  });

  it('enqueues a reconcile on the first success after Gogs failed for over five minutes', async () => {
    await env.gogsControl('DELETE', '/faults');
    await env.app.stores.settings.set(GOGS_FAILING_SINCE, { since: Date.now() - 6 * 60_000 });

    const result = await env.handle({ kind: 'user', objectId: U.alex, source: 'recheck' });

    expect(result).toMatchObject({ status: 'done' });
    expect(await env.gogsUser('alex')).toMatchObject({ active: false });
    const queued = await env.takeMessages();
    expect(queued).toContainEqual(
      expect.objectContaining({ kind: 'reconcile', reason: expect.stringMatching(/Gogs/) }),
    );
    expect((await env.app.stores.settings.get(GOGS_FAILING_SINCE))?.value).toBeNull();
  });

  it('drops a message that does not parse, recording it', async () => {
    const result = await env.handle({ kind: 'user', objectId: 'not-a-guid' });

    expect(result).toMatchObject({ status: 'dropped', reason: expect.stringMatching(/objectId/) });
    const failures = await env.app.stores.failures.list();
    expect(failures).toContainEqual(expect.objectContaining({ kind: 'invalidMessage' }));
  });

  it('leaves messages for later while paused, attempt unchanged', async () => {
    await env.clearQueues();
    await env.app.stores.settings.pause('test', Date.now());
    try {
      const result = await env.handle({
        kind: 'group',
        objectId: G.engineering,
        source: 'notification',
        attempt: 2,
      });
      expect(result).toMatchObject({ status: 'deferred' });
    } finally {
      await env.app.stores.settings.resume('test', Date.now());
    }
  });
});

describe('applyChanges: subscriptions', () => {
  it('ensures both subscriptions and audits each outcome', async () => {
    const result = await env.handle({ kind: 'renew' });

    expect(result).toMatchObject({ status: 'done', counts: { created: 2 } });
    const rows = await env.app.stores.audit.table.query({ from: Date.now() - 60_000, to: Date.now() });
    expect(rows.filter((r) => r.kind === 'subscriptionCreated')).toHaveLength(2);

    const again = await env.handle({ kind: 'renew' });
    expect(again).toMatchObject({ counts: { renewed: 2 } });
  });

  it('finishes the run the admin API queued, in the partition of its id', async () => {
    // Queued just before midnight UTC, started after it: `get` must still find the run.
    const runId = RunStore.newId(Date.UTC(2026, 10, 25, 23, 59, 59));
    const result = await env.handle({ kind: 'renew', runId });

    expect(result).toMatchObject({ status: 'done', runId });
    expect(await env.app.stores.runs.get(runId)).toMatchObject({
      status: 'succeeded',
      kind: 'renew',
      counts: { renewed: 2 },
    });
  });

  it('rotates the subscriptions and catches up on the gap', async () => {
    await env.clearQueues();

    const result = await env.handle({ kind: 'renew', mode: 'rotate' });

    expect(result).toMatchObject({ status: 'done', counts: { rotated: 2 } });
    expect(await env.takeMessages()).toContainEqual(expect.objectContaining({ kind: 'catchUp' }));
  });
});
