import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { CertMaterial } from './certs.js';
import type { Ctx, Emulator, Route } from './context.js';
import { Delivery } from './delivery.js';
import { deltaRoutes } from './delta.js';
import type { Directory } from './directory.js';
import { directoryRoutes } from './directoryRoutes.js';
import { emulatorRoutes } from './emulatorRoutes.js';
import type { Entra } from './entra.js';
import { Faults, type Timing } from './faults.js';
import { groupsRoutes } from './groupsRoutes.js';
import { GraphHttpError, graphErrorBody, readBody, sendGraphError, sendJson } from './http.js';
import { buildTenant, type Tenant, type TenantOverrides } from './seed.js';
import { SubscriptionStore, subscriptionRoutes } from './subscriptions.js';
import type { Seed } from './types.js';
import { usersRoutes } from './usersRoutes.js';

interface Match {
  route: Route;
  params: Record<string, string>;
}

function matchRoute(routes: Route[], method: string, path: string): Match | 'method' | null {
  const segs = path.split('/').filter((s) => s !== '');
  let best: { m: Match; literals: number } | null = null;
  let pathMatched = false;
  for (const route of routes) {
    const tsegs = route.template.split('/').filter((s) => s !== '');
    if (tsegs.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < tsegs.length && ok; i++) {
      const t = tsegs[i] as string;
      const s = segs[i] as string;
      if (t.startsWith('{')) {
        try {
          params[t.slice(1, -1)] = decodeURIComponent(s);
        } catch {
          ok = false;
        }
      } else if (t.toLowerCase() === s.toLowerCase()) literals += 1;
      else ok = false;
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    if (!best || literals > best.literals) best = { m: { route, params }, literals };
  }
  return best?.m ?? (pathMatched ? 'method' : null);
}

/** Identity-and-access cost of a request (spec §6), sent as x-ms-resource-unit. */
function resourceUnits(method: string, template: string, url: URL): number {
  if (method !== 'GET') return 1;
  let cost = 1;
  if (template === '/v1.0/users') cost = 2;
  else if (template.includes('/transitiveMembers')) cost = 5;
  else if (template.includes('/members')) cost = 3;
  if (url.searchParams.has('$select')) cost -= 1;
  if (url.searchParams.has('$expand')) cost += 1;
  const top = Number(url.searchParams.get('$top') ?? 'NaN');
  if (top < 20) cost -= 1;
  return Math.max(1, cost);
}

/** One emulator instance: all state hangs off this object (no module-level state). */
export class GraphEmulatorServer implements Emulator {
  baseUrl = '';
  tenant: Tenant;
  readonly subscriptions = new SubscriptionStore();
  readonly delivery: Delivery;
  readonly faults: Faults;
  readonly calls = new Map<string, number>();
  private readonly routes: Route[];
  private readonly server: ReturnType<typeof createServer>;
  private readonly identityServer: Server;

  constructor(
    private readonly seed: Seed,
    private readonly overrides: TenantOverrides,
    readonly entra: Entra,
    certs: CertMaterial,
    timing: Partial<Timing> = {},
  ) {
    this.faults = new Faults(timing);
    this.tenant = this.freshTenant();
    this.delivery = new Delivery(this);
    this.routes = [
      ...entra.routes(this),
      ...usersRoutes(this),
      ...groupsRoutes(this),
      ...directoryRoutes(this),
      ...deltaRoutes(this),
      ...subscriptionRoutes(this),
      ...emulatorRoutes(this),
    ];
    this.server = createServer(
      { cert: certs.cert, key: certs.key },
      (req, res) => void this.handle(req, res, false),
    );
    // Managed identity endpoints are plain http on localhost in Azure (spec §9).
    this.identityServer = createHttpServer((req, res) => void this.handle(req, res, true));
  }

  get directory(): Directory {
    return this.tenant.directory;
  }

  private freshTenant(): Tenant {
    const tenant = buildTenant(this.seed, this.overrides);
    tenant.directory.onChange((c) => this.delivery?.onChange(c));
    return tenant;
  }

  async reset(): Promise<void> {
    this.tenant = this.freshTenant();
    this.subscriptions.clear();
    this.subscriptions.ceiling = 'reject';
    this.faults.clear();
    this.delivery.clear();
    this.calls.clear();
  }

  async listen(port: number): Promise<{ url: string; identityEndpoint: string }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.baseUrl = `https://localhost:${(this.server.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => this.identityServer.listen(0, '127.0.0.1', () => resolve()));
    const idPort = (this.identityServer.address() as AddressInfo).port;
    return { url: this.baseUrl, identityEndpoint: `http://127.0.0.1:${idPort}/msi/token` };
  }

  async close(): Promise<void> {
    this.delivery.close();
    this.server.closeAllConnections();
    this.identityServer.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => this.server.close(() => resolve())),
      new Promise<void>((resolve) => this.identityServer.close(() => resolve())),
    ]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, identityOnly: boolean): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const method = req.method ?? 'GET';
    try {
      const found = matchRoute(this.routes, method, url.pathname);
      if (found === 'method')
        throw new GraphHttpError(
          405,
          'Request_BadRequest',
          'Specified HTTP method is not allowed for the request target.',
        );
      if (
        !found ||
        (identityOnly && !['/msi/token', '/metadata/identity/oauth2/token'].includes(found.route.template))
      ) {
        const seg =
          url.pathname
            .split('/')
            .filter((s) => s !== '')
            .pop() ?? '';
        throw new GraphHttpError(
          url.pathname.startsWith('/v1.0/') ? 400 : 404,
          'BadRequest',
          `Resource not found for the segment '${seg}'.`,
        );
      }
      const { route, params } = found;
      const key = `${method} ${route.template}`;
      this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
      const ctx: Ctx = { req, res, url, params, body: await readBody(req), app: null };
      if (route.auth === 'graph') {
        const clientRequestId = req.headers['client-request-id'];
        res.setHeader('request-id', randomUUID());
        if (typeof clientRequestId === 'string') res.setHeader('client-request-id', clientRequestId);
        res.setHeader('x-ms-resource-unit', String(resourceUnits(method, route.template, url)));
        await this.authorize(ctx, route);
      }
      if (route.auth === 'graph' || route.template.endsWith('/oauth2/v2.0/token')) this.throttle(ctx, key);
      await route.handle(ctx);
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof GraphHttpError) sendGraphError(req, res, err);
      else sendGraphError(req, res, new GraphHttpError(500, 'generalException', (err as Error).message));
    }
  }

  private async authorize(ctx: Ctx, route: Route): Promise<void> {
    const header = ctx.req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1]) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const claims = await this.entra.verify(this, m[1]);
    if (typeof claims === 'string') throw new GraphHttpError(401, 'InvalidAuthenticationToken', claims);
    if (claims.tid !== this.directory.tenantId)
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid tenant.',
      );
    const all = [...this.tenant.apps, this.tenant.managedIdentity];
    const app = all.find((a) => a.clientId === claims.appid);
    if (!app)
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Unknown application.',
      );
    const roles = claims.roles ?? [];
    if (route.roles && route.roles.length > 0 && !roles.some((r) => route.roles?.includes(r))) {
      throw new GraphHttpError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    }
    ctx.app = app;
  }

  private throttle(ctx: Ctx, key: string): void {
    const template = key.slice(key.indexOf(' ') + 1);
    const rule = this.faults.throttle(ctx.req.method ?? 'GET', template);
    if (!rule) return;
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      'x-ms-throttle-scope': `Tenant_Application/ReadWrite/${ctx.app?.clientId ?? 'unknown'}/${this.directory.tenantId}`,
      'x-ms-throttle-information': 'ResourceUnitLimitExceeded',
      'request-id': requestId,
    };
    if (rule.retryAfter !== null) headers['retry-after'] = String(rule.retryAfter);
    const body = graphErrorBody(ctx.req, requestId, 'TooManyRequests', 'Please retry again later.') as {
      error: { innerError: Record<string, unknown> };
    };
    Object.assign(body.error.innerError, { code: '429', message: 'Please retry after', status: '429' });
    sendJson(ctx.res, 429, body, headers);
    throw new GraphHttpError(429, 'TooManyRequests', 'sent');
  }
}
