import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { adminHeld } from '../../../functions/adminHeld.js';
import { adminPause } from '../../../functions/adminPause.js';
import { adminResume } from '../../../functions/adminResume.js';
import { adminStatus } from '../../../functions/adminStatus.js';
import { graphWebhook } from '../../../functions/graphWebhook.js';
import { ssoUsername } from '../../../functions/ssoUsername.js';
import { AUTHORITY, call, type HttpEnv, startHttpEnv, TENANT } from './httpFixture.js';

const AUDIENCE = 'api://entra-gogs-sync-admin';
const OPERATOR = 'a1b2c3d4-1111-4222-8333-444455556666';
const JWKS_URL = `${AUTHORITY}/${TENANT}/discovery/v2.0/keys`;

let env: HttpEnv;
let sign: (
  claims: Record<string, unknown>,
  options?: { key?: CryptoKey; audience?: string },
) => Promise<string>;
let strangerKey: CryptoKey;

beforeAll(async () => {
  const tenantKeys = await generateKeyPair('RS256');
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(tenantKeys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  // adminAuthenticator fetches Entra's JWKS through jose (global fetch): serve the test key there.
  const realFetch = globalThis.fetch;
  vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === JWKS_URL) {
      return new Response(JSON.stringify({ keys: [jwk] }), {
        headers: { 'content-type': 'application/json' },
      });
    }
    return realFetch(input, init);
  });
  sign = (claims, options = {}) =>
    new SignJWT({ tid: TENANT, oid: OPERATOR, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(`${AUTHORITY}/${TENANT}/v2.0`)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(options.key ?? tenantKeys.privateKey);
  env = await startHttpEnv({ audience: AUDIENCE });
});

afterAll(async () => {
  vi.unstubAllGlobals();
  await env?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('admin API with ADMIN_API_AUDIENCE set', () => {
  it('refuses a call without a bearer token: 401 with a challenge', async () => {
    const response = await call(adminStatus, { path: 'status' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.json).toEqual({ error: 'unauthorized', message: 'an Entra bearer token is required' });
  });

  it('lets Sync.Read read but not steer', async () => {
    const token = await sign({ roles: ['Sync.Read'] });
    expect((await call(adminStatus, { path: 'status', headers: bearer(token) })).status).toBe(200);
    expect((await call(adminHeld, { path: 'held', headers: bearer(token) })).status).toBe(200);
    const pause = await call(adminPause, { method: 'POST', path: 'pause', headers: bearer(token) });
    expect(pause.status).toBe(403);
    expect(pause.json).toEqual({ error: 'forbidden', message: 'the token lacks the app role Sync.Admin' });
  });

  it('lets Sync.Admin steer, recording who did', async () => {
    const token = await sign({ roles: ['Sync.Admin'] });
    const pause = await call(adminPause, {
      method: 'POST',
      path: 'pause',
      headers: bearer(token),
      body: { reason: 'test' },
    });
    expect(pause.status).toBe(200);
    expect(pause.json).toMatchObject({ paused: true, by: `entra:${OPERATOR}` });
    expect((await call(adminResume, { method: 'POST', path: 'resume', headers: bearer(token) })).status).toBe(
      200,
    );
  });

  it('refuses tokens signed by another key or for another audience, without echoing them', async () => {
    const forged = await sign({ roles: ['Sync.Admin'] }, { key: strangerKey });
    const other = await sign({ roles: ['Sync.Admin'] }, { audience: 'api://something-else' });
    for (const token of [forged, other, 'not-a-jwt']) {
      const response = await call(adminStatus, { path: 'status', headers: bearer(token) });
      expect(response.status).toBe(401);
      expect(response.text).not.toContain(token);
    }
  });

  it('keeps the SSO lookup and the webhook on the function key alone', async () => {
    const sso = await call(ssoUsername, { path: 'sso/username', query: `oid=${OPERATOR}` });
    // Past the auth (no bearer asked for): the lookup's own refusal of an unknown object id.
    expect(sso).toMatchObject({
      status: 403,
      json: { message: 'no active Gogs account for this object id' },
    });
    const handshake = await call(graphWebhook, {
      method: 'POST',
      path: 'graph/notifications',
      query: 'validationToken=t',
    });
    expect(handshake).toMatchObject({ status: 200, text: 't' });
  });
});
