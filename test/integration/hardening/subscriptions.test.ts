import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { HttpRuntime } from '../../../src/app/http/processRuntime.js';
import { buildStatus } from '../../../src/app/http/status.js';
import { statusSources } from '../../../src/app/http/statusSources.js';
import { NotificationReceiver } from '../graph/graphEnv.js';
import { startWorkerEnv, U, type WorkerEnv } from '../worker/workerEnv.js';

let env: WorkerEnv;
let receiver: NotificationReceiver;
const DAY = 86_400_000;

beforeAll(async () => {
  receiver = await new NotificationReceiver().start();
  env = await startWorkerEnv({ NOTIFICATION_URL: receiver.notificationUrl });
  await env.handle({ kind: 'reconcile' });
  await env.handle({ kind: 'catchUp' });
  await env.handle({ kind: 'renew' });
  await env.clearQueues();
});

afterAll(async () => {
  await env?.close();
  await receiver?.close();
});

beforeEach(async () => {
  await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: true } });
  await env.handle({ kind: 'user', objectId: U.adele, source: 'operator' });
  await env.handle({ kind: 'catchUp' });
  await env.clearQueues();
});

interface EmulatedSubscription {
  id: string;
  resource: string;
  notificationUrl: string;
}
const onGraph = async () =>
  ((await env.graphControl('GET', '/state')) as { subscriptions: EmulatedSubscription[] }).subscriptions;

/**
 * Renews, then runs the catch-up it enqueued and the changes that catch-up found, as the queue
 * would; returns the renew's counts.
 */
async function renewAndCatchUp(mode: 'ensure' | 'rotate' = 'ensure') {
  const renew = await env.handle({ kind: 'renew', mode });
  const queued = await env.takeMessages();
  expect(queued).toContainEqual(expect.objectContaining({ kind: 'catchUp' }));
  for (const m of queued) await env.handle(m);
  for (const m of await env.takeMessages()) if (m.kind === 'user' || m.kind === 'group') await env.handle(m);
  return renew;
}

describe('subscriptions (DESIGN §3.4)', () => {
  it('adopts only its own: a subscription it did not record is never renewed as ours', async () => {
    const ours = (await env.app.stores.subscriptions.list()).map((s) => s.id).sort();
    // Another app subscribes to /groups with our URL (someone testing with a copied setting).
    const foreign = await env.admin.request<{ id: string }>('POST', '/subscriptions', {
      body: {
        changeType: 'updated,deleted',
        notificationUrl: receiver.notificationUrl,
        resource: '/groups',
        expirationDateTime: new Date(Date.now() + 2 * DAY).toISOString(),
        clientState: 'not-ours',
      },
    });

    const result = await env.handle({ kind: 'renew' });

    expect(result).toMatchObject({ status: 'done', counts: { renewed: 2 } });
    expect((await env.app.stores.subscriptions.list()).map((s) => s.id).sort()).toEqual(ours);
    expect((await onGraph()).map((s) => s.id)).toContain(foreign.id);
    await env.admin.request('DELETE', `/subscriptions/${foreign.id}`);
  });

  it('takes over a subscription it does not own on 409, then a catch-up recovers a change of the gap', async () => {
    // Our records are lost: the subscriptions on Graph are now someone else's as far as we know.
    const before = await onGraph();
    for (const s of await env.app.stores.subscriptions.list())
      await env.app.stores.subscriptions.remove(s.id);
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: false } });

    const renew = await renewAndCatchUp();

    expect(renew).toMatchObject({ counts: { takenOver: 2 } });
    const after = await onGraph();
    expect(after.map((s) => s.id).some((id) => before.some((b) => b.id === id))).toBe(false);
    expect((await env.app.stores.subscriptions.list()).map((s) => s.id).sort()).toEqual(
      after.map((s) => s.id).sort(),
    );
    const audit = await env.app.stores.audit.table.query({ from: Date.now() - 60_000, to: Date.now() });
    expect(audit.filter((r) => r.kind === 'subscriptionTakenOver')).toHaveLength(2);
    expect((await env.gogsUser('adele'))?.active).toBe(false);
  });

  it('rotation recreates both subscriptions and loses no change made in the gap', async () => {
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: false } });

    const renew = await renewAndCatchUp('rotate');

    expect(renew).toMatchObject({ counts: { rotated: 2 } });
    expect((await env.gogsUser('adele'))?.active).toBe(false);
  });

  it('recreates an expired subscription and catches up', async () => {
    const [users] = await env.app.stores.subscriptions.forResource('/users');
    await env.graphControl('POST', `/subscriptions/${users?.id}/expire`);
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { accountEnabled: false } });

    const renew = await renewAndCatchUp();

    expect(renew).toMatchObject({ counts: { recreated: 1, renewed: 1 } });
    expect((await env.gogsUser('adele'))?.active).toBe(false);
  });

  it('the watchdog in status enqueues a reconcile, catch-up or renew when timers stopped, once', async () => {
    const rt = { config: env.app.config, stores: env.app.stores } as unknown as HttpRuntime;
    // Three days with no timer run: the daily reconcile and the 10-minute catch-up are overdue.
    const later = Date.now() + 3 * DAY;

    const first = await buildStatus(statusSources(rt, later));
    await buildStatus(statusSources(rt, later + 60_000));

    expect(first.status).toBe(200);
    const queued = await env.takeMessages();
    expect(queued.map((m) => m.kind).sort()).toEqual(['catchUp', 'reconcile']);
    expect(queued.find((m) => m.kind === 'reconcile')).toMatchObject({ requestedBy: 'watchdog' });

    // Twenty-five days on, the subscriptions expire within 7 days: a renew is enqueued.
    await buildStatus(statusSources(rt, Date.now() + 25 * DAY));
    expect((await env.takeMessages()).map((m) => m.kind)).toContain('renew');
  });
});
