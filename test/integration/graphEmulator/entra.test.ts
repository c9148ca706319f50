import { ClientSecretCredential, ManagedIdentityCredential } from '@azure/identity';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphEmulatorHandle } from '../../../emulators/graph/index.js';
import { call, type Env, LIMITED_APP, startEnv, tokenFor } from './helpers.js';

let env: Env;
let em: GraphEmulatorHandle;

beforeAll(async () => {
  env = await startEnv();
  em = env.em;
});
afterAll(() => em.close());

const tokenForm = (em: GraphEmulatorHandle, over: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: em.clientId,
  client_secret: em.clientSecret,
  scope: 'https://graph.microsoft.com/.default',
  'x-client-SKU': 'msal.js.node',
  ...over,
});

describe('Entra token endpoint', () => {
  it('serves OpenID metadata with the fields MSAL requires', async () => {
    const r = await call(em, 'GET', `/${em.tenantId}/v2.0/.well-known/openid-configuration`);

    expect(r.status).toBe(200);
    for (const k of [
      'authorization_endpoint',
      'token_endpoint',
      'issuer',
      'jwks_uri',
      'end_session_endpoint',
    ])
      expect(typeof r.json[k]).toBe('string');
  });

  it('issues an RS256 token with roles, tid and aud = scope minus /.default, verifiable against the JWKS', async () => {
    const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, { form: tokenForm(em) });
    const keys = await call(em, 'GET', `/${em.tenantId}/discovery/v2.0/keys`);
    const meta = await call(em, 'GET', `/${em.tenantId}/v2.0/.well-known/openid-configuration`);

    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      ext_expires_in: expect.any(Number),
    });
    const { payload, protectedHeader } = await jwtVerify(r.json.access_token, createLocalJWKSet(keys.json), {
      issuer: meta.json.issuer,
      audience: 'https://graph.microsoft.com',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      tid: em.tenantId,
      roles: ['User.Read.All', 'Group.Read.All'],
      appid: em.clientId,
    });
    expect(typeof payload.exp).toBe('number');
  });

  it("accepts the emulator's own URL as the resource", async () => {
    const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, {
      form: tokenForm(em, { scope: `${em.url}/.default` }),
    });

    expect(r.status).toBe(200);
    expect(decodeJwt(r.json.access_token).aud).toBe(em.url);
  });

  it('rejects a wrong secret with 401 invalid_client and an AADSTS body', async () => {
    const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, {
      form: tokenForm(em, { client_secret: 'nope' }),
    });

    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(r.json.error_description).toMatch(/^AADSTS7000215: /);
    for (const k of ['timestamp', 'trace_id', 'correlation_id', 'error_uri']) expect(r.json[k]).toBeTruthy();
  });

  it('rejects an unknown client with 400 unauthorized_client (AADSTS700016)', async () => {
    const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, {
      form: tokenForm(em, { client_id: 'f0000000-0000-4000-8000-000000000000' }),
    });

    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  it('rejects a scope without /.default with invalid_scope', async () => {
    const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, {
      form: tokenForm(em, { scope: 'User.Read' }),
    });

    expect(r.status).toBe(400);
    expect(r.json.error).toBe('invalid_scope');
  });

  it('gives a real @azure/identity ClientSecretCredential a token over HTTPS (tlsOptions.ca)', async () => {
    const credential = new ClientSecretCredential(em.tenantId, em.clientId, em.clientSecret, {
      authorityHost: em.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: em.caPem },
    });

    const token = await credential.getToken('https://graph.microsoft.com/.default');

    expect(decodeJwt(token.token).roles).toEqual(['User.Read.All', 'Group.Read.All']);
    const graph = await call(em, 'GET', '/v1.0/users?$top=1', { token: token.token });
    expect(graph.status).toBe(200);
  });

  it('makes ClientSecretCredential fail with invalid_client on a wrong secret', async () => {
    const credential = new ClientSecretCredential(em.tenantId, em.clientId, 'wrong', {
      authorityHost: em.url,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: em.caPem },
    });

    await expect(credential.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /invalid_client|AADSTS7000215/,
    );
  });

  it('serves an App Service managed identity endpoint that ManagedIdentityCredential accepts', async () => {
    const saved = { e: process.env.IDENTITY_ENDPOINT, h: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = em.identityEndpoint;
    process.env.IDENTITY_HEADER = em.identityHeader;
    try {
      const token = await new ManagedIdentityCredential().getToken('https://graph.microsoft.com/.default');

      expect(decodeJwt(token.token)).toMatchObject({ appid: em.managedIdentityClientId, tid: em.tenantId });
      expect((await call(em, 'GET', '/v1.0/groups', { token: token.token })).status).toBe(200);
    } finally {
      if (saved.e === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved.e;
      if (saved.h === undefined) delete process.env.IDENTITY_HEADER;
      else process.env.IDENTITY_HEADER = saved.h;
    }
  });

  it('refuses the App Service form without the right X-IDENTITY-HEADER', async () => {
    const r = await call(
      em,
      'GET',
      '/msi/token?api-version=2019-08-01&resource=https://graph.microsoft.com',
      {
        headers: { 'X-IDENTITY-HEADER': 'wrong' },
      },
    );

    expect(r.status).toBe(401);
  });

  it('serves the IMDS form only with Metadata: true', async () => {
    const path =
      '/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://graph.microsoft.com';

    const without = await call(em, 'GET', path);
    const withHeader = await call(em, 'GET', path, { headers: { Metadata: 'true' } });

    expect(without.status).toBe(400);
    expect(withHeader.status).toBe(200);
    expect(typeof withHeader.json.expires_on).toBe('string');
  });
});

describe('Graph authentication', () => {
  it('rejects a missing token with 401 InvalidAuthenticationToken in Graph error shape', async () => {
    const r = await call(em, 'GET', '/v1.0/users', { headers: { 'client-request-id': 'abc' } });

    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('InvalidAuthenticationToken');
    expect(r.json.error.innerError).toMatchObject({
      'client-request-id': 'abc',
      'request-id': expect.any(String),
      date: expect.any(String),
    });
  });

  it('rejects a forged token with 401', async () => {
    const [h, p] = env.reader.split('.');
    const r = await call(em, 'GET', '/v1.0/users', { token: `${h}.${p}.c2lnbmF0dXJl` });

    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('InvalidAuthenticationToken');
  });

  it('rejects a token without the needed role with 403 Authorization_RequestDenied', async () => {
    const token = await tokenFor(em, LIMITED_APP.clientId, LIMITED_APP.clientSecret);

    const groups = await call(em, 'GET', '/v1.0/groups', { token });
    const users = await call(em, 'GET', '/v1.0/users', { token });
    const write = await call(em, 'PATCH', '/v1.0/users/adele@contoso.com', {
      token: env.reader,
      body: { jobTitle: 'x' },
    });

    expect(groups.status).toBe(403);
    expect(groups.json.error.code).toBe('Authorization_RequestDenied');
    expect(users.status).toBe(200);
    expect(write.status).toBe(403);
  });
});
