import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { GraphApiError } from '../../../src/graph/graphApiError.js';
import { GraphClient } from '../../../src/graph/graphClient.js';
import type { HttpRequest, HttpResponse } from '../../../src/graph/httpsSend.js';
import { parseRetryAfter } from '../../../src/graph/retryPolicy.js';

const BASE = 'https://graph.test';

class FakeCredential implements TokenCredential {
  issued = 0;
  async getToken(): Promise<AccessToken> {
    this.issued += 1;
    return { token: `token-${this.issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers, text: body === undefined ? '' : JSON.stringify(body) };
}

function harness(answers: Array<HttpResponse | Error>) {
  const requests: HttpRequest[] = [];
  const waits: number[] = [];
  const credential = new FakeCredential();
  const graph = new GraphClient({
    baseUrl: BASE,
    credential,
    retry: { maxAttempts: 4, baseMs: 100, capMs: 1_000, maxWaitMs: 10_000 },
    random: () => 1,
    now: () => Date.UTC(2026, 10, 26, 4, 0, 0),
    sleep: async (ms) => {
      waits.push(ms);
    },
    send: async (request) => {
      requests.push(request);
      const next =
        answers.shift() ?? json(500, { error: { code: 'unexpected', message: 'no more answers' } });
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { graph, requests, waits, credential };
}

const throttled = (retryAfter?: string) =>
  json(
    429,
    { error: { code: 'TooManyRequests', message: 'Please retry again later.' } },
    {
      'request-id': 'req-1',
      ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
    },
  );

describe('parseRetryAfter', () => {
  it.each([
    ['2.128', 2128],
    ['0', 0],
    ['5', 5000],
    [' 1.5 ', 1500],
    ['Thu, 26 Nov 2026 04:00:30 GMT', 30_000],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads %s as %s ms', (header, expected) => {
    expect(parseRetryAfter(header, Date.UTC(2026, 10, 26, 4, 0, 0))).toBe(expected);
  });
});

describe('GraphClient retries', () => {
  it('retries 429, 503 and 504 honouring Retry-After, else backing off exponentially', async () => {
    const { graph, waits, requests } = harness([
      throttled('2.128'),
      json(503, { error: { code: 'serviceNotAvailable', message: '' } }),
      json(504, undefined),
      json(200, { id: 'u1' }),
    ]);

    expect(await graph.get('/users/u1')).toEqual({ id: 'u1' });
    expect(waits).toEqual([2128, 200, 400]);
    expect(new Set(requests.map((r) => r.headers['client-request-id'])).size).toBe(1);
  });

  it('retries network failures and gives up after the bound with status 0', async () => {
    const { graph, waits } = harness([
      new Error('ECONNRESET'),
      new Error('ECONNRESET'),
      new Error('x'),
      new Error('y'),
    ]);

    const error = await graph.get('/users').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(GraphApiError);
    expect(error).toMatchObject({ status: 0, code: 'networkError', retryable: true, graphMessage: 'y' });
    expect(waits).toHaveLength(3);
  });

  it('does not retry 400, 403, 404 or 500', async () => {
    for (const status of [400, 403, 404, 500]) {
      const { graph, requests } = harness([json(status, { error: { code: `E${status}`, message: 'no' } })]);

      const error = await graph.get('/users').catch((e: unknown) => e);

      expect(error).toMatchObject({ status, code: `E${status}`, retryable: false });
      expect(requests).toHaveLength(1);
    }
  });

  it('fetches a fresh token once on 401, without waiting', async () => {
    const { graph, requests, waits, credential } = harness([
      json(401, { error: { code: 'InvalidAuthenticationToken', message: 'expired' } }),
      json(200, { ok: true }),
    ]);

    await graph.get('/me');

    expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
    expect(waits).toEqual([]);
    expect(credential.issued).toBe(2);
  });

  it('reuses a token across calls until it nears expiry', async () => {
    const { graph, credential } = harness([json(200, {}), json(200, {})]);

    await graph.get('/a');
    await graph.get('/b');

    expect(credential.issued).toBe(1);
  });
});

describe('GraphClient requests and paging', () => {
  it('prefixes /v1.0, sends JSON bodies and parses an empty answer as undefined', async () => {
    const { graph, requests } = harness([json(204, undefined)]);

    expect(
      await graph.request('POST', '/users/u1/checkMemberGroups', { body: { groupIds: ['g'] } }),
    ).toBeUndefined();
    expect(requests[0]?.url.href).toBe(`${BASE}/v1.0/users/u1/checkMemberGroups`);
    expect(requests[0]?.headers['content-type']).toBe('application/json');
    expect(requests[0]?.body).toBe('{"groupIds":["g"]}');
  });

  it('follows nextLink verbatim and yields every page', async () => {
    const { graph, requests } = harness([
      json(200, { value: [1, 2], '@odata.nextLink': `${BASE}/v1.0/users?$skiptoken=abc` }),
      json(200, { value: [], '@odata.nextLink': `${BASE}/v1.0/users?$skiptoken=def` }),
      json(200, { value: [3], '@odata.deltaLink': `${BASE}/v1.0/users/delta?$deltatoken=z` }),
    ]);

    const pages = [];
    for await (const page of graph.pages<number>('/users?$top=2')) pages.push(page);

    expect(pages.map((p) => p.value)).toEqual([[1, 2], [], [3]]);
    expect(pages[2]?.deltaLink).toBe(`${BASE}/v1.0/users/delta?$deltatoken=z`);
    expect(requests.map((r) => r.url.search)).toEqual(['?$top=2', '?$skiptoken=abc', '?$skiptoken=def']);
  });

  it('never sends the token to a link on another host', async () => {
    const { graph, requests } = harness([
      json(200, { value: [1], '@odata.nextLink': 'https://evil.test/v1.0/users?x' }),
    ]);

    const seen: number[] = [];
    const error = await (async () => {
      for await (const item of graph.items<number>('/users')) seen.push(item);
    })().catch((e: unknown) => e);

    expect(seen).toEqual([1]);
    expect(error).toMatchObject({ code: 'foreignLink', retryable: false });
    expect(requests).toHaveLength(1);
  });

  it('reports a non-JSON success body as a typed error', async () => {
    const { graph } = harness([{ status: 200, headers: {}, text: '<html>' }]);

    expect(await graph.get('/users').catch((e: unknown) => e)).toMatchObject({ code: 'invalidJson' });
  });

  it('keeps the query string out of the error route', async () => {
    const { graph } = harness([json(404, { error: { code: 'Request_ResourceNotFound', message: 'gone' } })]);

    const error = (await graph
      .get('/users/delta?$deltatoken=secretish')
      .catch((e: unknown) => e)) as GraphApiError;

    expect(error.route).toBe('GET /v1.0/users/delta');
    expect(error.message).toBe('GET /v1.0/users/delta: Graph answered 404 Request_ResourceNotFound: gone');
  });
});
