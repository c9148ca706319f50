import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureHost, startFixtureHost } from './hostFixture.js';

let host: FixtureHost;
let keyed: FixtureHost;
beforeAll(async () => {
  host = await startFixtureHost({ env: { GREETING: 'from the env option' } });
  keyed = await startFixtureHost({ functionKey: 'local-key' });
});
afterAll(async () => {
  await host?.close();
  await keyed?.close();
});

describe('routes', () => {
  it('lists the HTTP functions with their routes and methods', () => {
    const items = host.functions.find((f) => f.name === 'items');
    expect(items).toMatchObject({
      trigger: 'http',
      route: '/api/items/{id:int}/{action?}',
      methods: ['GET', 'POST'],
      authLevel: 'anonymous',
      url: `${host.url}/api/items/{id:int}/{action?}`,
    });
    expect(host.functions.find((f) => f.name === 'hello')).toMatchObject({
      route: '/api/hello',
      methods: ['GET'],
    });
  });

  it('fills route parameters and the query, and hands env settings to the app', async () => {
    const response = await fetch(`${host.url}/api/items/42/edit?q=abc`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      id: '42',
      action: 'edit',
      q: 'abc',
      greeting: 'from the env option',
    });
  });

  it('leaves an optional parameter out and matches literals case-insensitively', async () => {
    const response = await fetch(`${host.url}/API/Items/7`);

    expect(await response.json()).toMatchObject({ id: '7', action: null });
  });

  it('answers 404 when a constraint fails, for unknown routes and outside the prefix', async () => {
    for (const path of ['/api/items/abc', '/api/nope', '/items/1', '/api/items/1/edit/more']) {
      const response = await fetch(`${host.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text(), path).toBe('');
    }
  });

  it('answers 404, not 405, for a method the function does not allow (as the Functions host does)', async () => {
    expect((await fetch(`${host.url}/api/items/1`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${host.url}/api/hello`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${host.url}/api/hello`, { method: 'HEAD' })).status).toBe(404);
  });

  it('uses the function name as the default route and decodes catch-all parameters', async () => {
    expect(await (await fetch(`${host.url}/api/hello`)).text()).toBe('hello');
    expect(await (await fetch(`${host.url}/api/files/docs/a%20b.txt`)).text()).toBe('path=docs/a b.txt');
    expect(await (await fetch(`${host.url}/api/files`)).text()).toBe('path=');
  });
});

describe('disabled functions', () => {
  it('honours AzureWebJobs.<name>.Disabled and host.json "functions"', async () => {
    const disabled = await startFixtureHost({
      env: { 'AzureWebJobs.hello.Disabled': 'true' },
      hostJson: { functions: ['hello', 'items'] },
    });
    try {
      expect(disabled.functions.find((f) => f.name === 'hello')).toEqual({
        name: 'hello',
        trigger: 'http',
        disabled: true,
      });
      expect(disabled.functions.find((f) => f.name === 'files')?.disabled).toBe(true);
      expect((await fetch(`${disabled.url}/api/hello`)).status).toBe(404);
      expect((await fetch(`${disabled.url}/api/items/1`)).status).toBe(200);
    } finally {
      await disabled.close();
    }
  });
});

describe('bodies', () => {
  it('passes a JSON body and writes jsonBody back', async () => {
    const response = await fetch(`${host.url}/api/items/5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', tags: [1, 2] }),
    });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ id: '5', received: { name: 'x', tags: [1, 2] } });
  });

  it('passes a text body larger than 1 MB and writes a string body with custom headers', async () => {
    const body = 'a'.repeat(1_500_000);

    const response = await fetch(`${host.url}/api/items/9`, { method: 'POST', body });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-echo')).toBe('9');
    expect(await response.text()).toBe(`got 1500000 chars: ${'a'.repeat(20)}`);
  });

  it('streams a Readable body and sends cookies', async () => {
    const response = await fetch(`${host.url}/api/stream`);

    expect(await response.text()).toBe('one,two,three');
    expect(response.headers.get('set-cookie')).toBe('seen=yes; Path=/');
  });

  it('answers 500 with an empty body when the handler throws, and logs the error', async () => {
    const response = await fetch(`${host.url}/api/boom`);

    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(host.lines.some((l) => l.startsWith('[boom] error: Error: boom on purpose'))).toBe(true);
    expect(host.lines.some((l) => l.startsWith("Executed 'Functions.boom' (Failed"))).toBe(true);
  });

  it('answers 204 when the handler returns nothing', async () => {
    expect((await fetch(`${host.url}/api/nothing`)).status).toBe(204);
  });
});

describe('hooks', () => {
  it('runs preInvocation and postInvocation hooks around the handler', async () => {
    const response = await fetch(`${host.url}/api/hooked`);

    expect(response.status).toBe(200);
    expect(response.headers.get('x-hook-note')).toBe('set by preInvocation');
    expect(await response.text()).toBe('hooked');
  });
});

describe('function keys', () => {
  it('does not enforce keys when no functionKey is given (like Core Tools)', async () => {
    expect((await fetch(`${host.url}/api/secure`)).status).toBe(200);
  });

  it('answers 401 without the key or with a wrong one', async () => {
    expect((await fetch(`${keyed.url}/api/secure`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/api/secure?code=wrong`)).status).toBe(401);
    expect((await fetch(`${keyed.url}/api/secure`, { headers: { 'x-functions-key': 'nope' } })).status).toBe(
      401,
    );
  });

  it('accepts the key as ?code= or x-functions-key', async () => {
    const byQuery = await fetch(`${keyed.url}/api/secure?code=local-key`);
    const byHeader = await fetch(`${keyed.url}/api/secure`, { headers: { 'x-functions-key': 'local-key' } });

    expect([byQuery.status, await byQuery.text()]).toEqual([200, 'secret']);
    expect(byHeader.status).toBe(200);
  });

  it('never asks for a key on anonymous functions', async () => {
    expect((await fetch(`${keyed.url}/api/hello`)).status).toBe(200);
  });
});
