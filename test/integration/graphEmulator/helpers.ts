import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { type GraphEmulatorHandle, startGraphEmulator } from '../../../emulators/graph/index.js';

export const IDS = {
  adele: '11111111-1111-4111-8111-111111111111',
  alex: '22222222-2222-4222-8222-222222222222',
  megan: '33333333-3333-4333-8333-333333333333',
  isaiah: '44444444-4444-4444-8444-444444444444',
  lynne: '55555555-5555-4555-8555-555555555555',
  pat: '66666666-6666-4666-8666-666666666666',
  engineering: 'aaaaaaaa-0000-4000-8000-000000000001',
  backend: 'aaaaaaaa-0000-4000-8000-000000000002',
  platform: 'aaaaaaaa-0000-4000-8000-000000000003',
  siteAdmins: 'aaaaaaaa-0000-4000-8000-000000000004',
  marketing: 'aaaaaaaa-0000-4000-8000-000000000005',
};
export const LIMITED_APP = {
  clientId: 'c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f',
  clientSecret: 'demo-limited-secret',
};

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience over arbitrary JSON
  json: any;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

/** HTTPS call that trusts the emulator's CA (no NODE_EXTRA_CA_CERTS needed). */
export function call(
  em: GraphEmulatorHandle,
  method: string,
  pathOrUrl: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const url = new URL(pathOrUrl, em.url);
  const headers: Record<string, string> = { ...opts.headers };
  let body = '';
  if (opts.form) {
    body = new URLSearchParams(opts.form).toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: em.caPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = null;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function tokenFor(
  em: GraphEmulatorHandle,
  clientId: string,
  clientSecret: string,
): Promise<string> {
  const r = await call(em, 'POST', `/${em.tenantId}/oauth2/v2.0/token`, {
    form: {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    },
  });
  if (r.status !== 200) throw new Error(`token: ${r.status} ${r.text}`);
  return r.json.access_token as string;
}

export interface Env {
  em: GraphEmulatorHandle;
  /** Read-only sync app token (User.Read.All, Group.Read.All). */
  reader: string;
  /** Admin app token (write roles). */
  admin: string;
}

export async function startEnv(opts: Parameters<typeof startGraphEmulator>[0] = {}): Promise<Env> {
  const em = await startGraphEmulator({ port: 0, ...opts });
  const reader = await tokenFor(em, em.clientId, em.clientSecret);
  const admin = await tokenFor(em, em.adminClientId ?? '', em.adminClientSecret ?? '');
  return { em, reader, admin };
}

export interface Received {
  method: string;
  url: string;
  contentType: string;
  body: string;
}

/** A local http receiver (the Functions host runs over http on loopback). */
export class Receiver {
  readonly received: Received[] = [];
  /** Status codes for the next notification POSTs (then 202). */
  failNext: number[] = [];
  answerValidation = true;
  /** Body for the validation answer (default: the decoded token). */
  validationBody: (token: string) => string = (token) => token;
  /** Never answer validation requests. */
  hangValidation = false;
  /** Leave this many notification POSTs unanswered (timeouts). */
  hangNext = 0;
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/graphWebhook?code=fnkey`;
    return this;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      contentType: String(req.headers['content-type'] ?? ''),
      body,
    });
    const token = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
    if (token !== null) {
      if (this.hangValidation) return;
      if (!this.answerValidation) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end(this.validationBody(token));
      return;
    }
    if (this.hangNext > 0) {
      this.hangNext -= 1;
      return;
    }
    res.writeHead(this.failNext.shift() ?? 202).end();
  }

  /** Notification bodies (validation requests excluded), raw text. */
  notifications(): string[] {
    return this.received.filter((r) => !r.url.includes('validationToken=')).map((r) => r.body);
  }

  // biome-ignore lint/suspicious/noExplicitAny: parsed notification items
  items(): any[] {
    return this.notifications().flatMap((b) => JSON.parse(b).value);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export async function waitFor<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function inMinutes(min: number): string {
  return new Date(Date.now() + min * 60_000).toISOString();
}
