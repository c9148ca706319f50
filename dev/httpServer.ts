import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { format } from 'node:util';
import azf, { type Cookie } from '@azure/functions';
import type { Log } from './invoker.js';
import { type CompiledRoute, compareRoutes } from './routeTemplate.js';

const { HttpRequest, HttpResponse } = azf;

export interface HttpRoute {
  functionName: string;
  route: CompiledRoute;
  /** Upper-case methods; empty means any method. */
  methods: string[];
  authLevel: string;
  invoke(request: InstanceType<typeof HttpRequest>, params: Record<string, string>): Promise<unknown>;
}

export interface HttpServerOptions {
  routePrefix: string;
  routes: HttpRoute[];
  functionKey: string | undefined;
  log: Log;
  /** `POST /admin/functions/{name}` with `{"input": "..."}`: runs a non-HTTP function, answers 202. */
  adminInvoke(name: string, input: string | undefined): boolean;
}

// The Functions host accepts request bodies up to 100 MB (maxRequestBodySize).
const MAX_BODY_BYTES = 100 * 1024 * 1024;

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}

/** An empty response, as the host sends for 401/404/500: no body, `content-length: 0` (none on 204). */
function empty(res: ServerResponse, status: number): void {
  res.writeHead(status, status === 204 ? {} : { 'content-length': '0' }).end();
}

function isResponseLike(value: object): value is InstanceType<typeof HttpResponse> {
  return 'arrayBuffer' in value && typeof value.arrayBuffer === 'function' && 'headers' in value;
}

async function writeResult(result: unknown, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (result === undefined || result === null) {
    empty(res, 204);
    return;
  }
  if (typeof result !== 'object') {
    throw new Error(
      'The HTTP response must be an object with optional properties "body", "status", "headers", and "cookies".',
    );
  }
  const response = isResponseLike(result) ? result : new HttpResponse(result);
  const headers: [string, string][] = [];
  for (const [key, value] of response.headers.entries()) {
    if (key !== 'set-cookie') headers.push([key, value]);
  }
  for (const cookie of response.headers.getSetCookie()) headers.push(['set-cookie', cookie]);
  for (const cookie of response.cookies ?? []) headers.push(['set-cookie', serializeCookie(cookie)]);
  res.writeHead(response.status, headers.flat());
  const body = response.body;
  if (!body || req.method === 'HEAD') {
    await body?.cancel();
    res.end();
    return;
  }
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}

/** One node:http server on 127.0.0.1 in front of the app's HTTP functions. */
export class HttpServer {
  readonly #o: HttpServerOptions;
  readonly #routes: HttpRoute[];
  readonly #server: Server;

  constructor(options: HttpServerOptions) {
    this.#o = options;
    this.#routes = [...options.routes].sort((a, b) => compareRoutes(a.route, b.route));
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        options.log(`http: ${req.method} ${req.url} failed: ${format(error)}`);
        if (!res.headersSent) empty(res, 500);
        else res.destroy();
      });
    });
  }

  listen(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, '127.0.0.1', () => {
        const { port: bound } = this.#server.address() as AddressInfo;
        resolve(`http://127.0.0.1:${bound}`);
      });
    });
  }

  /** Stops accepting connections, closes idle ones, and waits (bounded) for requests in progress. */
  async close(timeoutMs: number): Promise<void> {
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // Keep-alive connections become idle as their requests finish; close them as they do.
    this.#server.closeIdleConnections();
    const idle = setInterval(() => this.#server.closeIdleConnections(), 100);
    const force = setTimeout(() => this.#server.closeAllConnections(), timeoutMs);
    await closed;
    clearInterval(idle);
    clearTimeout(force);
  }

  #authorized(url: URL, req: IncomingMessage, authLevel: string): boolean {
    const key = this.#o.functionKey;
    if (key === undefined || authLevel.toLowerCase() === 'anonymous') return true;
    return url.searchParams.get('code') === key || req.headers['x-functions-key'] === key;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const admin = /^\/admin\/functions\/([^/]+)\/?$/i.exec(url.pathname);
    if (admin?.[1] && method === 'POST') {
      await this.#handleAdmin(decodeURIComponent(admin[1]), url, req, res);
      return;
    }
    const prefix = this.#o.routePrefix === '' ? '/' : `/${this.#o.routePrefix}/`;
    const path = `${url.pathname}/`.toLowerCase().startsWith(prefix.toLowerCase())
      ? url.pathname.slice(prefix.length)
      : undefined;
    let matched: { route: HttpRoute; params: Record<string, string> } | undefined;
    for (const route of path === undefined ? [] : this.#routes) {
      const params = route.route.match(path ?? '');
      if (params && (route.methods.length === 0 || route.methods.includes(method))) {
        matched = { route, params };
        break;
      }
    }
    // Like the Functions host, a known route with a method it doesn't allow is a plain 404, not 405
    // (Azure/azure-functions-host#10098, #11625).
    if (!matched) {
      req.resume();
      empty(res, 404);
      return;
    }
    if (!this.#authorized(url, req, matched.route.authLevel)) {
      req.resume();
      empty(res, 401);
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        res.writeHead(413, { connection: 'close', 'content-length': '0' }).end();
        return;
      }
      throw error;
    }
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers: flatHeaders(req),
      params: matched.params,
      body: body.length > 0 ? { bytes: body } : undefined,
    });
    let result: unknown;
    try {
      result = await matched.route.invoke(request, matched.params);
    } catch {
      // The invoker logged the error; the host answers 500 with an empty body.
      empty(res, 500);
      return;
    }
    await writeResult(result, req, res);
  }

  async #handleAdmin(name: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#authorized(url, req, 'admin')) {
      req.resume();
      empty(res, 401);
      return;
    }
    const text = (await readBody(req)).toString('utf8');
    let input: string | undefined;
    try {
      const parsed = text === '' ? {} : (JSON.parse(text) as { input?: unknown });
      input = parsed.input === undefined ? undefined : String(parsed.input);
    } catch {
      empty(res, 400);
      return;
    }
    empty(res, this.#o.adminInvoke(name, input) ? 202 : 404);
  }
}
