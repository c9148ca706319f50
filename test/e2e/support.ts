import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { ReadyInfo } from '../../dev/start.js';

/** A free loopback port for the functions host (Graph must know the notification URL up front). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls until `check` returns a value that is not undefined, or fails with the last state seen. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${last ? ` (last error: ${String(last)})` : ''}`);
}

function httpsJson(
  url: string,
  ca: string,
  init: { method: string; headers?: Record<string, string>; body?: string },
) {
  return new Promise<{ status: number; body: unknown }>((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Changes the demo directory through Graph's own write API, as an Entra admin would. */
export async function directoryAdmin(ready: ReadyInfo) {
  const ca = readFileSync(ready.caCert, 'utf8');
  const { clientId, clientSecret } = ready.directoryAdmin;
  if (!clientId || !clientSecret) throw new Error('the Graph emulator has no directory admin app');
  const token = await httpsJson(`${ready.graph}/${ready.tenantId}/oauth2/v2.0/token`, ca, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });
  const accessToken = (token.body as { access_token?: string }).access_token;
  if (!accessToken) throw new Error(`no token: ${JSON.stringify(token.body)}`);
  return async (method: string, path: string, body?: unknown) => {
    const response = await httpsJson(`${ready.graph}/v1.0${path}`, ca, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status >= 400)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as Record<string, unknown>;
  };
}

export interface GogsUserState {
  username: string;
  email: string;
  fullName: string;
  active: boolean;
  isAdmin: boolean;
  keys: unknown[];
}

/** What the Gogs emulator holds, hidden fields included. */
export async function gogsState(ready: ReadyInfo) {
  const response = await fetch(`${ready.gogs}/_emulator/state`);
  return (await response.json()) as {
    users: GogsUserState[];
    orgs: { username: string; teams: { name: string; members: string[] }[] }[];
  };
}

export async function gogsUser(ready: ReadyInfo, username: string): Promise<GogsUserState | undefined> {
  return (await gogsState(ready)).users.find((u) => u.username.toLowerCase() === username.toLowerCase());
}

export async function teamMembers(ready: ReadyInfo, org: string, team: string): Promise<string[]> {
  const state = await gogsState(ready);
  const found = state.orgs.find((o) => o.username === org)?.teams.find((t) => t.name === team);
  return (found?.members ?? []).map((m) => m.toLowerCase()).sort();
}
