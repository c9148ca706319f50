import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type Env, IDS, inMinutes, Receiver, startEnv, waitFor } from './helpers.js';

let env: Env;
let receiver: Receiver;
beforeAll(async () => {
  env = await startEnv({ timing: { retryBaseMs: 50, batchWindowMs: 30 } });
});
beforeEach(async () => {
  await call(env.em, 'POST', '/_emulator/reset');
  receiver = await new Receiver().start();
});
afterEach(() => receiver.close());
afterAll(() => env.em.close());

const admin = (method: string, path: string, body?: unknown) =>
  call(env.em, method, path, { token: env.admin, body });

async function subscribe(resource: string, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await call(env.em, 'POST', '/v1.0/subscriptions', {
    token: env.reader,
    body: {
      changeType: 'updated,deleted',
      notificationUrl: receiver.url,
      resource,
      expirationDateTime: inMinutes(600),
      clientState: 'cs-1',
      ...extra,
    },
  });
  expect(r.status).toBe(201);
  return r.json.id;
}

describe('change notification delivery', () => {
  it('delivers a user create as `updated` in Graph directory shape, sequenceNumber beyond 2^53 as a raw number', async () => {
    const subId = await subscribe('/users');

    const created = await admin('POST', '/v1.0/users', {
      accountEnabled: true,
      displayName: 'Nestor Wilke',
      mailNickname: 'nestor',
      userPrincipalName: 'nestor@contoso.com',
      passwordProfile: { password: 'x!Y2z3w4' },
    });
    const id = created.json.id as string;
    const [item] = await waitFor(() => receiver.items().length > 0 && receiver.items());

    expect(item).toEqual({
      changeType: 'updated',
      clientState: 'cs-1',
      resource: `Users/${id}`,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.User',
        '@odata.id': `Users/${id}`,
        id,
        organizationId: env.em.tenantId,
        eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
        sequenceNumber: expect.any(Number),
      },
      subscriptionExpirationDateTime: expect.stringMatching(/\.\d{7}\+00:00$/),
      subscriptionId: subId,
      tenantId: env.em.tenantId,
    });
    const raw = receiver.notifications()[0] ?? '';
    const seq = /"sequenceNumber":(\d+)/.exec(raw)?.[1] ?? '0';
    expect(BigInt(seq)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(receiver.received.at(-1)?.url).toBe('/api/graphWebhook?code=fnkey');
  });

  it('delivers a nested membership change on /groups with members@delta whose @removed is a string', async () => {
    await subscribe('/groups');

    await admin('POST', `/v1.0/groups/${IDS.platform}/members/$ref`, {
      '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${IDS.lynne}`,
    });
    await admin('DELETE', `/v1.0/groups/${IDS.platform}/members/${IDS.isaiah}/$ref`);
    const items = await waitFor(() => receiver.items().length >= 2 && receiver.items());

    expect(
      items.map((i) => [
        i.changeType,
        i.resource,
        i.resourceData['@odata.type'],
        i.resourceData['members@delta'],
      ]),
    ).toEqual([
      ['updated', `Groups/${IDS.platform}`, '#Microsoft.Graph.Group', [{ id: IDS.lynne }]],
      [
        'updated',
        `Groups/${IDS.platform}`,
        '#Microsoft.Graph.Group',
        [{ id: IDS.isaiah, '@removed': 'deleted' }],
      ],
    ]);
    // Both fit in one POST (batching).
    expect(receiver.notifications()).toHaveLength(1);
  });

  it('sends soft delete as updated and permanent delete as deleted', async () => {
    await subscribe(`/users/${IDS.alex}`);

    await admin('DELETE', `/v1.0/users/${IDS.alex}`);
    await waitFor(() => receiver.items().length >= 1);
    await admin('DELETE', `/v1.0/directory/deletedItems/${IDS.alex}`);
    const items = await waitFor(() => receiver.items().length >= 2 && receiver.items());

    expect(items.map((i) => i.changeType)).toEqual(['updated', 'deleted']);
  });

  it('sends nothing for a change type the subscription does not ask for', async () => {
    await subscribe('/groups', { changeType: 'deleted' });
    await subscribe('/users', { changeType: 'deleted' });

    await admin('PATCH', `/v1.0/groups/${IDS.platform}`, { description: 'x' });
    await admin('DELETE', `/v1.0/groups/${IDS.platform}`);
    const items = await waitFor(() => receiver.items().length >= 1 && receiver.items());
    await new Promise((r) => setTimeout(r, 150));

    expect(receiver.items().map((i) => i.changeType)).toEqual(['deleted']);
    expect(items[0].resource).toBe(`Groups/${IDS.platform}`);
  });

  it('retries a batch the receiver answers with 500, then delivers', async () => {
    await subscribe('/users');
    receiver.failNext = [500, 503];

    await admin('PATCH', `/v1.0/users/${IDS.adele}`, { jobTitle: 'CTO' });
    await waitFor(() => receiver.notifications().length >= 3);

    const deliveries = (await call(env.em, 'GET', '/_emulator/deliveries')).json.value;
    expect(deliveries.map((d: { status: number }) => d.status)).toEqual([500, 503, 202]);
    expect(new Set(receiver.notifications()).size).toBe(1);
  });

  it('drops a notification after the retry window', async () => {
    await subscribe('/users');
    await call(env.em, 'POST', '/_emulator/faults', { body: { timing: { retryWindowMs: 120 } } });
    receiver.failNext = [500, 500, 500, 500, 500, 500];

    await admin('PATCH', `/v1.0/users/${IDS.adele}`, { jobTitle: 'CTO' });
    await new Promise((r) => setTimeout(r, 600));
    const deliveries = await call(env.em, 'GET', '/_emulator/deliveries');

    expect(deliveries.json.dropped).toBe(1);
    expect(deliveries.json.value.length).toBeLessThan(6);
  });

  it('sends a lifecycle event on demand to the lifecycle URL', async () => {
    const id = await subscribe('/users', { lifecycleNotificationUrl: receiver.url });

    const r = await call(env.em, 'POST', `/_emulator/subscriptions/${id}/lifecycle`, {
      body: { event: 'reauthorizationRequired' },
    });
    const [item] = await waitFor(() => receiver.items().length > 0 && receiver.items());

    expect(r.status).toBe(202);
    expect(item).toEqual({
      subscriptionId: id,
      subscriptionExpirationDateTime: expect.any(String),
      tenantId: env.em.tenantId,
      clientState: 'cs-1',
      lifecycleEvent: 'reauthorizationRequired',
    });
  });

  it('injects duplicates, reordering, drops and delay', async () => {
    await subscribe('/users');
    await call(env.em, 'POST', '/_emulator/faults', {
      body: { delivery: { duplicateNext: 1, reorder: true } },
    });

    await admin('PATCH', `/v1.0/users/${IDS.adele}`, { jobTitle: 'a' });
    await admin('PATCH', `/v1.0/users/${IDS.alex}`, { jobTitle: 'b' });
    const items = await waitFor(() => receiver.items().length >= 3 && receiver.items());

    expect(items.map((i) => i.resourceData.id)).toEqual([IDS.alex, IDS.adele, IDS.adele]);

    await call(env.em, 'POST', '/_emulator/faults', {
      body: { delivery: { duplicateNext: 0, reorder: false, dropNext: 1, delayMs: 200 } },
    });
    await admin('PATCH', `/v1.0/users/${IDS.megan}`, { jobTitle: 'dropped' });
    await admin('PATCH', `/v1.0/users/${IDS.isaiah}`, { jobTitle: 'delayed' });
    const t0 = Date.now();
    const after = await waitFor(() => receiver.items().length >= 4 && receiver.items());

    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    expect(after.slice(3).map((i) => i.resourceData.id)).toEqual([IDS.isaiah]);
  });

  it('retries a delivery the receiver does not answer within the first-attempt timeout', async () => {
    await subscribe('/users');
    await call(env.em, 'POST', '/_emulator/faults', { body: { timing: { firstTimeoutMs: 100 } } });
    receiver.hangNext = 1;

    await admin('PATCH', `/v1.0/users/${IDS.adele}`, { jobTitle: 'slow' });
    await waitFor(() => receiver.notifications().length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    const deliveries = (await call(env.em, 'GET', '/_emulator/deliveries')).json.value;

    expect(deliveries[0].error).toMatch(/timeout/);
    expect(deliveries.at(-1).status).toBe(202);
  });

  it('notifies a /groups/{id}/members subscription of membership changes only', async () => {
    await subscribe(`/groups/${IDS.backend}/members`);

    await admin('PATCH', `/v1.0/groups/${IDS.backend}`, { description: 'ignored' });
    await admin('DELETE', `/v1.0/groups/${IDS.backend}/members/${IDS.megan}/$ref`);
    const items = await waitFor(() => receiver.items().length >= 1 && receiver.items());
    await new Promise((r) => setTimeout(r, 100));

    expect(receiver.items()).toHaveLength(1);
    expect(items[0].resourceData['members@delta']).toEqual([{ id: IDS.megan, '@removed': 'deleted' }]);
  });
});
