import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminStatus } from '../../../functions/adminStatus.js';
import { graphLifecycle } from '../../../functions/graphLifecycle.js';
import { graphWebhook } from '../../../functions/graphWebhook.js';
import { httpRuntime } from '../../../src/app/http/processRuntime.js';
import {
  CLIENT_STATE,
  call,
  drain,
  type HttpEnv,
  PREVIOUS_STATE,
  peekAll,
  startHttpEnv,
  TENANT,
} from './httpFixture.js';

const OUR_SUB = '5a1f0e2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const USER = '11111111-1111-4111-8111-111111111111';
const GROUP = '22222222-2222-4222-8222-222222222222';

function anItem(overrides: Record<string, unknown> = {}) {
  return {
    subscriptionId: OUR_SUB,
    subscriptionExpirationDateTime: '2026-12-20T10:00:00.0000000Z',
    changeType: 'updated',
    resource: `Users/${USER}`,
    resourceData: { '@odata.type': '#Microsoft.Graph.User', id: USER, organizationId: TENANT },
    clientState: CLIENT_STATE,
    tenantId: TENANT,
    ...overrides,
  };
}

const notify = (value: unknown[], headers: Record<string, string> = {}) =>
  call(graphWebhook, {
    method: 'POST',
    path: 'graph/notifications',
    query: 'code=fn-key',
    body: { value },
    headers,
  });

let env: HttpEnv;

beforeAll(async () => {
  env = await startHttpEnv();
});

afterAll(async () => {
  await env?.stop();
});

describe('graphWebhook and graphLifecycle (registered handlers, Azurite)', () => {
  it('answers the validation handshake with the decoded token as text, before any storage exists', async () => {
    const token = 'Validation: Testing client application reachability <script>&';
    const response = await call(graphWebhook, {
      method: 'POST',
      path: 'graph/notifications',
      query: `code=fn-key&validationToken=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
    expect(response.status).toBe(200);
    expect(response.text).toBe(token);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');

    const lifecycle = await call(graphLifecycle, {
      method: 'POST',
      path: 'graph/lifecycle',
      query: 'validationToken=abc',
    });
    expect(lifecycle).toMatchObject({ status: 200, text: 'abc' });

    const tooLong = await call(graphWebhook, {
      method: 'POST',
      path: 'graph/notifications',
      query: `validationToken=${'x'.repeat(1025)}`,
    });
    expect(tooLong.status).toBe(400);
  });

  it('enqueues a valid notification on a fresh account, creating the queue on the way', async () => {
    const response = await notify([anItem()]);
    expect(response.status).toBe(202);
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({
        kind: 'user',
        objectId: USER,
        source: 'notification',
        changeType: 'updated',
        subscriptionId: OUR_SUB,
      }),
    ]);
    await drain(env.changes);
  });

  it('enqueues one message per valid item, 202', async () => {
    const { stores } = await httpRuntime().app();
    await stores.subscriptions.put({
      id: OUR_SUB,
      resource: '/users',
      changeType: 'updated,deleted',
      expiresAt: Date.now() + 20 * 86_400_000,
      notificationUrl: 'https://sync.example.com/api/graph/notifications?code=fn-key',
      lifecycleNotificationUrl: 'https://sync.example.com/api/graph/lifecycle?code=fn-key',
      clientStateVersion: 'current',
      createdAt: Date.now(),
    });
    const group = anItem({
      resource: `Groups/${GROUP}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.Group', id: GROUP, 'members@delta': [{ id: USER }] },
    });

    const response = await notify([
      anItem(),
      group,
      anItem({ clientState: PREVIOUS_STATE, changeType: 'deleted' }),
    ]);

    expect(response.status).toBe(202);
    const messages = await peekAll(env.changes);
    expect(messages.map((m) => [m.kind, 'objectId' in m ? m.objectId : undefined])).toEqual([
      ['user', USER],
      ['group', GROUP],
      ['user', USER],
    ]);
    expect(messages[1]).toMatchObject({ membersDelta: [{ id: USER, removed: false }] });
    await drain(env.changes);
  });

  it('enqueues nothing for a forged clientState or another tenant, and still answers 202', async () => {
    const response = await notify([
      anItem({ clientState: 'forged' }),
      anItem({ tenantId: 'ffffffff-0000-4000-8000-000000000000' }),
      anItem({ clientState: null }),
    ]);
    expect(response.status).toBe(202);
    expect(await peekAll(env.changes)).toEqual([]);
    expect(response.logs.join('\n')).toMatch(/3 item\(s\) on our own subscription ids failed/);
    expect(response.logs.join('\n')).not.toContain('forged');
  });

  it('refuses bad bodies with 400 naming the path, and 413 past the limit', async () => {
    const bad = await notify([anItem({ subscriptionExpirationDateTime: 'soon' })]);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({
      error: 'badRequest',
      message: expect.stringMatching(/^value\[0\]\.subscriptionExpirationDateTime: /),
    });

    const big = await call(graphWebhook, {
      method: 'POST',
      path: 'graph/notifications',
      body: `{"value":[],"pad":"${'x'.repeat(4 * 1024 * 1024)}"}`,
    });
    expect(big.status).toBe(413);
  });

  it('turns lifecycle events into lifecycle messages', async () => {
    const response = await call(graphLifecycle, {
      method: 'POST',
      path: 'graph/lifecycle',
      body: {
        value: [
          {
            subscriptionId: OUR_SUB,
            subscriptionExpirationDateTime: '2026-12-20T10:00:00Z',
            tenantId: TENANT,
            clientState: CLIENT_STATE,
            lifecycleEvent: 'reauthorizationRequired',
          },
          {
            subscriptionId: OUR_SUB,
            subscriptionExpirationDateTime: '2026-12-20T10:00:00Z',
            tenantId: TENANT,
            clientState: 'nope',
            lifecycleEvent: 'missed',
          },
        ],
      },
    });
    expect(response.status).toBe(202);
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({
        kind: 'lifecycle',
        subscriptionId: OUR_SUB,
        lifecycleEvent: 'reauthorizationRequired',
      }),
    ]);
    await drain(env.changes);
  });

  it('shows the counters and the alarm in status once flushed', async () => {
    await httpRuntime().counters.flush();
    const status = await call(adminStatus, { path: 'status' });
    expect(status.status).toBe(200);
    const { counts, lastAlarm } = status.json.webhook;
    expect(counts['notifications.alarm.wrongClientState']).toBe(1);
    expect(counts['notifications.alarm.wrongTenant']).toBe(1);
    expect(counts['notifications.alarm.missingClientState']).toBe(1);
    expect(counts['lifecycle.alarm.wrongClientState']).toBe(1);
    expect(counts['notifications.oversize']).toBe(1);
    expect(counts['notifications.enqueued']).toBe(4);
    expect(lastAlarm).toMatchObject({ subscriptionId: OUR_SUB });
    await drain(env.changes);
  });

  it('answers 503 when the enqueue fails, so Graph retries', async () => {
    await env.changes.delete();
    const response = await notify([anItem()]);
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({ error: 'unavailable' });
  });
});
