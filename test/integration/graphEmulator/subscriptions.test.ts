import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, type Env, IDS, inMinutes, LIMITED_APP, Receiver, startEnv, tokenFor } from './helpers.js';

let env: Env;
let receiver: Receiver;
beforeAll(async () => {
  env = await startEnv();
});
beforeEach(async () => {
  await call(env.em, 'POST', '/_emulator/reset');
  receiver = await new Receiver().start();
});
afterEach(() => receiver.close());
afterAll(() => env.em.close());

const subscribe = (body: Record<string, unknown>, token = env.reader) =>
  call(env.em, 'POST', '/v1.0/subscriptions', {
    token,
    body: {
      changeType: 'updated,deleted',
      notificationUrl: receiver.url,
      lifecycleNotificationUrl: receiver.url,
      resource: '/users',
      expirationDateTime: inMinutes(600),
      clientState: 'secret-state',
      ...body,
    },
  });

describe('subscriptions', () => {
  it('validates both URLs with POST ?validationToken=, text/plain, before answering 201', async () => {
    const r = await subscribe({});

    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      resource: '/users',
      changeType: 'updated,deleted',
      clientState: 'secret-state',
      notificationUrl: receiver.url,
    });
    const validations = receiver.received.filter((x) => x.url.includes('validationToken='));
    expect(validations).toHaveLength(2);
    for (const v of validations) {
      expect(v.method).toBe('POST');
      expect(v.contentType).toBe('text/plain; charset=utf-8');
      // The function key on the notification URL survives.
      expect(v.url).toMatch(/^\/api\/graphWebhook\?code=fnkey&validationToken=/);
    }
  });

  it('fails with 400 when the endpoint does not answer the handshake', async () => {
    receiver.answerValidation = false;

    const r = await subscribe({});

    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(/Subscription validation request failed/);
    receiver.answerValidation = true;
    expect((await call(env.em, 'GET', '/v1.0/subscriptions', { token: env.reader })).json.value).toEqual([]);
  });

  it('answers 409 for a second subscription with the same changeType and resource', async () => {
    const first = await subscribe({});
    const second = await subscribe({ resource: 'users' });
    const otherType = await subscribe({ changeType: 'updated' });

    expect(second.status).toBe(409);
    expect(second.json.error.message).toBe(
      `Subscription Id ${first.json.id} already exists for the requested combination`,
    );
    expect(otherType.status).toBe(201);
  });

  it('raises an expiry under 45 minutes to 45 minutes and rejects one beyond 41,760 minutes', async () => {
    const short = await subscribe({ expirationDateTime: inMinutes(5) });
    const long = await subscribe({ resource: '/groups', expirationDateTime: inMinutes(41_761) });
    const max = await subscribe({ resource: '/groups', expirationDateTime: inMinutes(41_700) });

    const minutes = (Date.parse(short.json.expirationDateTime) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(44.9);
    expect(minutes).toBeLessThan(45.1);
    expect(long.status).toBe(400);
    expect(max.status).toBe(201);
  });

  it('renews with PATCH, 404s once expired, and deletes with 204', async () => {
    const s = await subscribe({});
    const renewed = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.reader,
      body: { expirationDateTime: inMinutes(41_700) },
    });
    await call(env.em, 'POST', `/_emulator/subscriptions/${s.json.id}/expire`);
    const afterExpiry = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.reader,
      body: { expirationDateTime: inMinutes(600) },
    });
    const s2 = await subscribe({});
    const deleted = await call(env.em, 'DELETE', `/v1.0/subscriptions/${s2.json.id}`, { token: env.reader });

    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.json.expirationDateTime)).toBeGreaterThan(Date.now() + 41_000 * 60_000);
    expect(afterExpiry.status).toBe(404);
    expect(s2.status).toBe(201);
    expect(deleted.status).toBe(204);
    expect(
      (await call(env.em, 'GET', `/v1.0/subscriptions/${s2.json.id}`, { token: env.reader })).status,
    ).toBe(404);
  });

  it('lists only the calling app subscriptions, with clientState null', async () => {
    await subscribe({});
    await subscribe({ resource: '/groups' });

    const list = await call(env.em, 'GET', '/v1.0/subscriptions', { token: env.reader });
    const adminList = await call(env.em, 'GET', '/v1.0/subscriptions', { token: env.admin });

    expect(list.json.value).toHaveLength(2);
    expect(list.json.value.every((s: { clientState: unknown }) => s.clientState === null)).toBe(true);
    expect(adminList.json.value).toEqual([]);
  });

  it("refuses another app's renew and delete", async () => {
    const s = await subscribe({});

    const renew = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.admin,
      body: { expirationDateTime: inMinutes(600) },
    });
    const del = await call(env.em, 'DELETE', `/v1.0/subscriptions/${s.json.id}`, { token: env.admin });

    expect(renew.status).toBe(403);
    expect(del.status).toBe(403);
  });

  it('needs Group.Read.All for a groups subscription', async () => {
    const token = await tokenFor(env.em, LIMITED_APP.clientId, LIMITED_APP.clientSecret);

    const r = await subscribe({ resource: '/groups' }, token);

    expect(r.status).toBe(403);
  });

  it('rejects non-loopback and malformed notification URLs, and clientState over 128 chars', async () => {
    const remote = await subscribe({ notificationUrl: 'https://example.com/hook' });
    const longState = await subscribe({ clientState: 'x'.repeat(129) });

    expect(remote.status).toBe(400);
    expect(longState.status).toBe(400);
  });

  it('accepts `created` in changeType and a /groups/{id}/members resource', async () => {
    const r = await subscribe({
      changeType: 'created,updated,deleted',
      resource: `/groups/${IDS.engineering}/members`,
    });

    expect(r.status).toBe(201);
  });

  it('enforces 100 subscriptions per app', async () => {
    // The handshake is the slow part; use distinct resources to avoid 409.
    const users = [IDS.adele, IDS.alex, IDS.megan, IDS.isaiah, IDS.lynne, IDS.pat];
    const groups = [IDS.engineering, IDS.backend, IDS.platform, IDS.siteAdmins, IDS.marketing];
    const resources = [
      ...users.map((u) => `/users/${u}`),
      ...groups.flatMap((g) => [`/groups/${g}`, `/groups/${g}/members`]),
    ];
    const types = [
      'updated',
      'deleted',
      'updated,deleted',
      'created',
      'created,updated',
      'created,deleted',
      'created,updated,deleted',
    ];
    const combos = resources.flatMap((resource) => types.map((changeType) => ({ resource, changeType })));
    for (const c of combos.slice(0, 100)) expect((await subscribe(c)).status).toBe(201);

    const over = await subscribe(combos[100] ?? {});

    expect(over.status).toBe(403);
  });

  it('fails the handshake when the token comes back URL-encoded', async () => {
    receiver.validationBody = (token) => encodeURIComponent(token);

    const r = await subscribe({});

    expect(r.status).toBe(400);
  });

  it('fails the handshake when the endpoint does not answer in time', async () => {
    await call(env.em, 'POST', '/_emulator/faults', { body: { timing: { validationTimeoutMs: 150 } } });
    const silent = await new Receiver().start();
    silent.hangValidation = true;

    const r = await subscribe({ notificationUrl: silent.url, lifecycleNotificationUrl: undefined });
    await silent.close();
    await call(env.em, 'POST', '/_emulator/faults', { body: { timing: { validationTimeoutMs: 10_000 } } });

    expect(r.status).toBe(400);
  });

  it('re-validates a new notificationUrl on PATCH and reauthorizes with 204', async () => {
    const s = await subscribe({});
    const other = await new Receiver().start();
    other.answerValidation = false;

    const refused = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.reader,
      body: { notificationUrl: other.url },
    });
    other.answerValidation = true;
    const moved = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.reader,
      body: { notificationUrl: other.url },
    });
    const reauth = await call(env.em, 'POST', `/v1.0/subscriptions/${s.json.id}/reauthorize`, {
      token: env.reader,
    });
    await other.close();

    expect(refused.status).toBe(400);
    expect(moved.status).toBe(200);
    expect(moved.json.notificationUrl).toBe(other.url);
    expect(reauth.status).toBe(204);
  });

  it('caps the expiry at 41,760 minutes in cap mode', async () => {
    await call(env.em, 'POST', '/_emulator/faults', { body: { subscriptionCeiling: 'cap' } });

    const r = await subscribe({ expirationDateTime: inMinutes(50_000) });

    expect(r.status).toBe(201);
    const minutes = (Date.parse(r.json.expirationDateTime) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(41_759);
    expect(minutes).toBeLessThanOrEqual(41_760);
  });

  it('removes the subscription when a subscriptionRemoved lifecycle event is sent', async () => {
    const s = await subscribe({});

    const sent = await call(env.em, 'POST', `/_emulator/subscriptions/${s.json.id}/lifecycle`, {
      body: { event: 'subscriptionRemoved' },
    });
    const renew = await call(env.em, 'PATCH', `/v1.0/subscriptions/${s.json.id}`, {
      token: env.reader,
      body: { expirationDateTime: inMinutes(600) },
    });

    expect(sent.status).toBe(202);
    expect(renew.status).toBe(404);
  });
});
