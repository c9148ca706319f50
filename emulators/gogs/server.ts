import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authenticate } from './auth.js';
import {
  ApiContext,
  DOCS_URL,
  GENERIC_500,
  HTML_CONTENT_TYPE,
  JSON_CONTENT_TYPE,
  type Reply,
} from './context.js';
import { type EmulatorControl, handleEmulatorRequest } from './emulatorRoutes.js';
import { type FaultDecision, Faults } from './faults.js';
import { NOT_FOUND_PAGE, PROHIBIT_LOGIN_PAGE } from './render.js';
import { Router } from './router.js';
import { registerAdminUserRoutes } from './routes/adminUsers.js';
import { registerKeyRoutes } from './routes/keys.js';
import { registerOrgRoutes } from './routes/orgs.js';
import { registerRepoRoutes } from './routes/repos.js';
import { registerTeamRoutes } from './routes/teams.js';
import { registerUserRoutes } from './routes/users.js';
import { GogsStore, type StoreSeed } from './store.js';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface GogsServer {
  server: Server;
  /** Set once listening, e.g. `http://127.0.0.1:3000/`; used in URLs Gogs renders. */
  setBaseUrl(url: string): void;
}

function buildRouter(): Router {
  const router = new Router('/api/v1');
  registerUserRoutes(router);
  registerAdminUserRoutes(router);
  registerOrgRoutes(router);
  registerTeamRoutes(router);
  registerKeyRoutes(router);
  registerRepoRoutes(router);
  return router;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) reject(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  headers['content-length'] = Buffer.byteLength(reply.body);
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

function faultReply(status: number): Reply {
  if (status === 500) {
    const body = JSON.stringify({ message: GENERIC_500, url: DOCS_URL });
    return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body };
  }
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: `emulator fault ${status}`,
  };
}

function resetConnection(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage['socket'] & { resetAndDestroy?: () => void };
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Builds the emulator's HTTP server; all state lives in the returned closure. */
export function createGogsServer(seed: StoreSeed): GogsServer {
  const router = buildRouter();
  const control: EmulatorControl = {
    store: new GogsStore(seed),
    faults: new Faults(),
    calls: new Map(),
    reset() {
      control.store = new GogsStore(seed);
      control.faults.clear();
      control.calls.clear();
    },
  };
  let baseUrl = 'http://127.0.0.1/';

  async function handleApi(req: IncomingMessage, url: URL, body: Buffer): Promise<Reply | undefined> {
    const method = req.method ?? 'GET';
    // macaron's SetAutoHead(true): HEAD runs the GET route (Node drops the body).
    const routeMethod = method === 'HEAD' ? 'GET' : method;
    const match = method === 'OPTIONS' ? undefined : router.match(routeMethod, url.pathname);
    const template = match?.route.template ?? (url.pathname.startsWith('/api/v1/') ? '/api/v1/*' : '/*');
    const key = `${method} ${template}`;
    control.calls.set(key, (control.calls.get(key) ?? 0) + 1);

    const decision: FaultDecision | undefined = control.faults.decide(method, template);
    if (decision && decision.latencyMs > 0) await new Promise((r) => setTimeout(r, decision.latencyMs));
    if (decision?.action === 'reset') {
      resetConnection(req);
      return undefined;
    }
    if (decision?.action === 'error' && decision.phase === 'before') return faultReply(decision.status);

    let reply: Reply | undefined;
    const c = new ApiContext(method, url, req.headers, body, control.store, baseUrl, (r) => {
      reply ??= r;
    });
    const html = (page: string): Reply => ({
      status: 200,
      headers: { 'content-type': HTML_CONTENT_TYPE },
      body: page,
    });
    const auth = url.pathname.startsWith('/api/') ? authenticate(c) : 'ok';
    if (auth === 'panic') {
      // macaron's Recovery in production mode: 500, empty body.
      reply = { status: 500, headers: {}, body: '' };
    } else if (c.user?.prohibitLogin) {
      // Gogs' Toggle renders the prohibit-login page with 200 before any API handler (spec §1.2).
      reply = html(PROHIBIT_LOGIN_PAGE);
    } else if (method === 'OPTIONS' && url.pathname.startsWith('/api/v1/')) {
      reply = { status: 200, headers: {}, body: '' };
    } else if (match) {
      c.params = match.params;
      try {
        await match.route.handler(c);
      } catch {
        c.serverError();
      }
    }
    reply ??= { status: 404, headers: { 'content-type': HTML_CONTENT_TYPE }, body: NOT_FOUND_PAGE };
    if (decision?.action === 'error') return faultReply(decision.status);
    return reply;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Prefixing (not resolving) keeps a path like `//x` from being read as a host.
    const url = new URL(`http://127.0.0.1${req.url ?? '/'}`);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch {
      write(res, { status: 413, headers: {}, body: '' });
      return;
    }
    if (url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/')) {
      let reply: Reply;
      try {
        reply = handleEmulatorRequest(control, req.method ?? 'GET', url.pathname, body);
      } catch (err) {
        reply = { status: 400, headers: {}, body: String(err) };
      }
      write(res, reply);
      return;
    }
    const reply = await handleApi(req, url, body);
    if (reply) write(res, reply);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) write(res, faultReply(500));
    });
  });
  return {
    server,
    setBaseUrl(url: string) {
      baseUrl = url;
    },
  };
}
