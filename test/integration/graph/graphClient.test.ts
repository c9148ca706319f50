import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import { GraphApiError } from '../../../src/graph/graphApiError.js';
import { GraphClient } from '../../../src/graph/graphClient.js';
import { createGraphCredential } from '../../../src/graph/graphCredential.js';
import { GraphDirectory } from '../../../src/graph/graphDirectory.js';
import { ADMIN_APP, type GraphEnv, SYNC_APP, startGraphEnv, userId } from './graphEnv.js';

const USER_ROUTE = 'GET /v1.0/users/{id}';
let env: GraphEnv;

beforeAll(async () => {
  env = await startGraphEnv();
});
afterAll(() => env.close());
beforeEach(async () => {
  await env.control('POST', '/reset');
});

/** A client whose waits are recorded (and still slept, so the emulator sees real spacing). */
function recordingClient(retry: { maxAttempts?: number; baseMs?: number; maxWaitMs?: number } = {}) {
  const waits: number[] = [];
  const graph = env.clientFor({
    retry: { baseMs: 40, capMs: 1_000, ...retry },
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  return { graph, waits };
}

async function caught(promise: Promise<unknown>): Promise<GraphApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GraphApiError);
  return error as GraphApiError;
}

describe('GraphClient against the emulator', () => {
  it('gets a token from the emulator over HTTPS with a real ClientSecretCredential and reads', async () => {
    const user = await env.graph.get<{ id: string }>(`/users/${userId(1)}`);

    expect(user.id).toBe(userId(1));
    expect((await env.calls())[`POST /{tenant}/oauth2/v2.0/token`]).toBeGreaterThanOrEqual(1);
  });

  it('honours a fractional Retry-After (spec §6: "2.128")', async () => {
    await env.control('POST', '/throttle', { route: USER_ROUTE, count: 2, retryAfter: 0.25 });
    const { graph, waits } = recordingClient();

    await graph.get(`/users/${userId(1)}`);

    expect(waits).toEqual([250, 250]);
    expect((await env.calls())[USER_ROUTE]).toBe(3);
  });

  it('backs off exponentially when 429 carries no Retry-After', async () => {
    await env.control('POST', '/throttle', { route: USER_ROUTE, count: 2, retryAfter: null });
    const { graph, waits } = recordingClient({ baseMs: 40 });

    await graph.get(`/users/${userId(1)}`);

    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThanOrEqual(20);
    expect(waits[0]).toBeLessThanOrEqual(40);
    expect(waits[1]).toBeGreaterThanOrEqual(40);
    expect(waits[1]).toBeLessThanOrEqual(80);
    expect((await env.calls())[USER_ROUTE]).toBe(3);
  });

  it('gives up after the attempt bound with a retryable GraphApiError that never holds the token', async () => {
    await env.control('POST', '/throttle', { route: USER_ROUTE, count: 10, retryAfter: 0.01 });
    const { graph } = recordingClient({ maxAttempts: 3 });

    const error = await caught(graph.get(`/users/${userId(1)}`));

    expect(error).toMatchObject({ status: 429, code: 'TooManyRequests', retryable: true, retryAfterMs: 10 });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.route).toBe(`GET /v1.0/users/${userId(1)}`);
    expect((await env.calls())[USER_ROUTE]).toBe(3);
    const token =
      (await createCredential(SYNC_APP).getToken('https://graph.microsoft.com/.default'))?.token ?? '';
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(token.slice(-20));
  });

  it('does not sleep through a Retry-After beyond the wait bound: the queue re-schedules', async () => {
    await env.control('POST', '/throttle', { route: USER_ROUTE, count: 1, retryAfter: 120 });
    const { graph, waits } = recordingClient({ maxWaitMs: 60_000 });

    const error = await caught(graph.get(`/users/${userId(1)}`));

    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 120_000 });
    expect(waits).toEqual([]);
  });

  it('throttled directory reads still complete (readGroupMembers through a 429)', async () => {
    await env.control('POST', '/throttle', {
      route: 'GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user',
      count: 1,
      retryAfter: 0.05,
    });
    const { graph } = recordingClient();

    const read = await new GraphDirectory(graph, []).readGroupMembers('00000000-0000-4000-9000-000000000004');

    expect(read.status === 'ok' && read.members.length).toBe(1_010);
  });

  it('does not retry a 404 and reads Graph error code and message', async () => {
    const error = await caught(env.graph.get('/users/00000000-0000-4000-8000-0000000f0f0f'));

    expect(error).toMatchObject({ status: 404, code: 'Request_ResourceNotFound', retryable: false });
    expect((await env.calls())[USER_ROUTE]).toBe(1);
  });

  it('turns a refused client secret into a non-retryable authenticationFailed error without the secret', async () => {
    const graph = new GraphClient({
      baseUrl: env.em.url,
      caPem: env.em.caPem,
      credential: createCredential({ clientId: SYNC_APP.clientId, clientSecret: 'not-the-secret' }),
    });

    const error = await caught(graph.get('/users'));

    expect(error).toMatchObject({ status: 0, code: 'authenticationFailed', retryable: false });
    expect(error.message).toMatch(/AADSTS7000215/);
    expect(error.message).not.toContain('not-the-secret');
    graph.close();
  });

  it('retries network failures up to the bound, then fails retryable with status 0', async () => {
    const waits: number[] = [];
    const graph = new GraphClient({
      baseUrl: 'https://127.0.0.1:1',
      credential: createCredential(SYNC_APP),
      retry: { maxAttempts: 3, baseMs: 1 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    const error = await caught(graph.get('/users'));

    expect(error).toMatchObject({ status: 0, code: 'networkError', retryable: true });
    expect(waits).toHaveLength(2);
    graph.close();
  });

  it('refuses to follow a link to another host (the token stays home)', async () => {
    const error = await caught(env.graph.get('https://graph.example.net/v1.0/users'));

    expect(error).toMatchObject({ code: 'foreignLink', retryable: false });
  });

  it('works with a managed identity credential (App Service endpoint)', async () => {
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    process.env.IDENTITY_ENDPOINT = env.em.identityEndpoint;
    process.env.IDENTITY_HEADER = env.em.identityHeader;
    try {
      const credential = createGraphCredential({
        tenantId: env.em.tenantId,
        authorityHost: env.em.url,
        credential: { kind: 'managedIdentity' },
      });
      const graph = new GraphClient({ baseUrl: env.em.url, caPem: env.em.caPem, credential });

      expect((await graph.get<{ value: unknown[] }>('/groups?$top=2')).value).toHaveLength(2);
      graph.close();
    } finally {
      restore('IDENTITY_ENDPOINT', saved.endpoint);
      restore('IDENTITY_HEADER', saved.header);
    }
  });

  it('the admin app can write where the sync app cannot (403 is not retried)', async () => {
    const error = await caught(
      env.graph.request('PATCH', `/users/${userId(1)}`, { body: { jobTitle: 'x' } }),
    );

    expect(error).toMatchObject({ status: 403, code: 'Authorization_RequestDenied', retryable: false });
    await env.admin.request('PATCH', `/users/${userId(1)}`, { body: { jobTitle: 'x' } });
    expect(ADMIN_APP.clientId).not.toBe(SYNC_APP.clientId);
  });
});

function createCredential(app: { clientId: string; clientSecret: string }) {
  return createGraphCredential(
    {
      tenantId: env.em.tenantId,
      authorityHost: env.em.url,
      credential: {
        kind: 'clientSecret',
        clientId: app.clientId,
        clientSecret: new Secret(app.clientSecret),
      },
    },
    { caPem: env.em.caPem },
  );
}

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
