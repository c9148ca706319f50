import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureCerts } from '../../../emulators/graph/certs.js';
import { GogsApiError } from '../../../src/gogs/gogsApiError.js';
import { GogsClient } from '../../../src/gogs/gogsClient.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function serve(handler: Handler): Promise<string> {
  const server = createHttpServer(handler).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const TOKEN = { reveal: () => 'a'.repeat(40) };

describe('GogsClient', () => {
  it('sends the token only as `Authorization: token …` and returns accepted statuses as values', async () => {
    let seen = '';
    const url = await serve((req, res) => {
      seen = req.headers.authorization ?? '';
      res.writeHead(404).end();
    });
    const client = new GogsClient({ baseUrl: `${url}/`, token: TOKEN });
    expect(await client.call('GET', '/users/x', { accept: [200, 404] })).toEqual({
      status: 404,
      body: undefined,
    });
    expect(seen).toBe(`token ${'a'.repeat(40)}`);
  });

  it('retries idempotent calls on 5xx with backoff, but never a POST', async () => {
    const hits = { GET: 0, POST: 0 };
    const url = await serve((req, res) => {
      hits[req.method as 'GET' | 'POST']++;
      if (req.method === 'GET' && hits.GET < 3) return res.writeHead(503).end();
      res
        .writeHead(req.method === 'GET' ? 200 : 500, { 'content-type': 'application/json' })
        .end('{"message":"boom"}');
    });
    const client = new GogsClient({ baseUrl: url, token: TOKEN, retryBaseMs: 1 });
    expect((await client.call('GET', '/user')).body).toEqual({ message: 'boom' });
    expect(hits.GET).toBe(3);
    await expect(client.call('POST', '/admin/users', { json: {} })).rejects.toMatchObject({
      status: 500,
      retryable: true,
    });
    expect(hits.POST).toBe(1);
  });

  it('turns a 422 into a non-retryable GogsApiError with Gogs’ message and never leaks the token', async () => {
    const url = await serve((_req, res) => {
      res
        .writeHead(422, { 'content-type': 'application/json' })
        .end('{"message":"user already exists: map[name:bob]","url":"https://github.com/gogs/docs-api"}');
    });
    const error = await new GogsClient({ baseUrl: url, token: TOKEN })
      .call('POST', '/admin/users')
      .catch((e) => e);
    expect(error).toBeInstanceOf(GogsApiError);
    expect(error).toMatchObject({
      status: 422,
      retryable: false,
      gogsMessage: 'user already exists: map[name:bob]',
    });
    expect(`${error.message} ${JSON.stringify(error)}`).not.toContain('a'.repeat(40));
  });

  it('reports an unreachable Gogs as a retryable network failure', async () => {
    const url = await serve((_req, res) => res.end());
    for (const close of closers.splice(0)) close();
    const client = new GogsClient({ baseUrl: url, token: TOKEN, retries: 1, retryBaseMs: 1 });
    await expect(client.call('GET', '/user')).rejects.toMatchObject({ status: 0, retryable: true });
  });

  it('trusts an internal CA given as GOGS_CA_CERT, and only then', async () => {
    const certs = await ensureCerts();
    const server = createHttpsServer({ cert: certs.cert, key: certs.key }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"username":"root"}');
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    closers.push(() => server.close());
    const url = `https://localhost:${(server.address() as AddressInfo).port}`;
    const trusting = new GogsClient({ baseUrl: url, token: TOKEN, caPem: certs.caPem });
    expect((await trusting.call('GET', '/user')).body).toEqual({ username: 'root' });
    const strict = new GogsClient({ baseUrl: url, token: TOKEN, retries: 0 });
    await expect(strict.call('GET', '/user')).rejects.toMatchObject({ status: 0 });
  });
});
