import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Timing } from '../../../emulators/graph/faults.js';
import { type GraphEmulatorHandle, type Seed, startGraphEmulator } from '../../../emulators/graph/index.js';
import { Secret } from '../../../src/config/index.js';
import { GraphClient, type GraphClientOptions } from '../../../src/graph/graphClient.js';
import { createGraphCredential } from '../../../src/graph/graphCredential.js';

export const TENANT = '0b7d3c52-5d2f-4c55-9a1e-7c1f00000001';
export const SYNC_APP = { clientId: '0b7d3c52-5d2f-4c55-9a1e-7c1f0000a001', clientSecret: 'sync-app-secret' };
export const ADMIN_APP = {
  clientId: '0b7d3c52-5d2f-4c55-9a1e-7c1f0000a002',
  clientSecret: 'admin-app-secret',
};

/** Deterministic ids: users `…-8000-000000000042`, groups `…-9000-0000000000gg`. */
export const userId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const groupId = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;

export const G = {
  top: groupId(1),
  mid: groupId(2),
  leaf: groupId(3),
  big: groupId(4),
  /** A Microsoft 365 group (soft delete) and a security group (permanent delete). */
  unified: groupId(5),
  security: groupId(6),
  /** 25 scope groups: more than one checkMemberGroups call of 20. */
  scope: Array.from({ length: 25 }, (_, i) => groupId(100 + i)),
};

export const USER_COUNT = 1_050;
export const GUEST = userId(9001);
export const DISABLED = userId(9002);
export const SOFT_DELETED = userId(9003);

/**
 * A tenant bigger than one 999-item page: 1,050 members plus a guest, a disabled and a soft-deleted
 * user; top ⊃ mid ⊃ leaf nesting; a 1,010-member group; 25 scope groups.
 */
export function contractSeed(): Seed {
  const users = Array.from({ length: USER_COUNT }, (_, n) => ({
    id: userId(n),
    displayName: `User ${n}`,
    mailNickname: `user${n}`,
    userPrincipalName: `user${n}@contoso.com`,
    mail: n % 10 === 0 ? null : `user${n}@contoso.com`,
  }));
  users.push(
    {
      id: GUEST,
      displayName: 'Pat Guest',
      mailNickname: 'pat_fabrikam.com#EXT#',
      userPrincipalName: 'pat_fabrikam.com#EXT#@contoso.onmicrosoft.com',
      mail: 'pat@fabrikam.com',
    },
    {
      id: DISABLED,
      displayName: 'Dee Sabled',
      mailNickname: 'dee',
      userPrincipalName: 'dee@contoso.com',
      mail: null,
    },
    {
      id: SOFT_DELETED,
      displayName: 'Gone Soft',
      mailNickname: 'gone',
      userPrincipalName: 'gone@contoso.com',
      mail: null,
    },
  );
  const seedUsers = users.map((u) =>
    u.id === DISABLED ? { ...u, accountEnabled: false } : u.id === SOFT_DELETED ? { ...u, deleted: true } : u,
  );
  const scope = G.scope.map((id, i) => ({
    id,
    displayName: `Scope ${i}`,
    // user 5 is a direct member of scope 3 and scope 22; scope 23 holds the leaf group (nested).
    members: i === 3 || i === 22 ? [userId(5)] : i === 23 ? [G.leaf] : [],
  }));
  return {
    tenant: { id: TENANT, displayName: 'Contract tests' },
    domains: ['contoso.onmicrosoft.com', 'contoso.com'],
    apps: [
      { ...SYNC_APP, displayName: 'sync', roles: ['User.Read.All', 'Group.Read.All'] },
      {
        ...ADMIN_APP,
        displayName: 'admin',
        roles: [
          'User.ReadWrite.All',
          'Group.ReadWrite.All',
          'GroupMember.ReadWrite.All',
          'Directory.ReadWrite.All',
        ],
      },
    ],
    users: seedUsers,
    groups: [
      { id: G.top, displayName: 'Top', members: [userId(4), G.mid] },
      { id: G.mid, displayName: 'Mid', members: [userId(3), G.leaf] },
      { id: G.leaf, displayName: 'Leaf', members: [userId(1), userId(2), SOFT_DELETED] },
      { id: G.big, displayName: 'Big', members: Array.from({ length: 1_010 }, (_, n) => userId(n)) },
      {
        id: G.unified,
        displayName: 'Unified',
        groupTypes: ['Unified'],
        mailEnabled: true,
        members: [userId(6)],
      },
      { id: G.security, displayName: 'Security', members: [userId(7)] },
      ...scope,
    ],
  };
}

export interface GraphEnv {
  em: GraphEmulatorHandle;
  /** The adapter's transport, as the sync app (read roles), over HTTPS with a real ClientSecretCredential. */
  graph: GraphClient;
  /** The directory-admin app, for tests that change the directory. */
  admin: GraphClient;
  clientFor(options?: Partial<GraphClientOptions>): GraphClient;
  /** Test-only control surface (the product never calls it). */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  calls(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

export async function startGraphEnv(
  options: { seed?: Seed; timing?: Partial<Timing> } = {},
): Promise<GraphEnv> {
  const em = await startGraphEmulator({
    port: 0,
    seed: options.seed ?? contractSeed(),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  const clientOf = (
    app: { clientId: string; clientSecret: string },
    extra: Partial<GraphClientOptions> = {},
  ) =>
    new GraphClient({
      baseUrl: em.url,
      caPem: em.caPem,
      credential: createGraphCredential(
        {
          tenantId: em.tenantId,
          authorityHost: em.url,
          credential: {
            kind: 'clientSecret',
            clientId: app.clientId,
            clientSecret: new Secret(app.clientSecret),
          },
        },
        { caPem: em.caPem },
      ),
      retry: { baseMs: 20, capMs: 200 },
      ...extra,
    });
  const clients: GraphClient[] = [];
  const track = (c: GraphClient) => {
    clients.push(c);
    return c;
  };
  const admin = track(clientOf(ADMIN_APP));
  const control = <T>(method: string, path: string, body?: unknown) =>
    admin.request<T>(method, `${em.url}/_emulator${path}`, body === undefined ? {} : { body });
  return {
    em,
    graph: track(clientOf(SYNC_APP)),
    admin,
    clientFor: (extra) => track(clientOf(SYNC_APP, extra)),
    control,
    calls: () => control<Record<string, number>>('GET', '/calls'),
    close: async () => {
      for (const c of clients) c.close();
      await em.close();
    },
  };
}

/** A local http receiver standing in for graphWebhook/graphLifecycle (the emulator allows loopback http). */
export class NotificationReceiver {
  readonly bodies: Array<{ path: string; body: string }> = [];
  readonly validations: string[] = [];
  answerValidation = true;
  private readonly server: Server;
  private port = 0;

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get notificationUrl(): string {
    return `http://127.0.0.1:${this.port}/api/graph/notifications?code=fn-key`;
  }

  get lifecycleUrl(): string {
    return `http://127.0.0.1:${this.port}/api/graph/lifecycle?code=fn-key`;
  }

  notifications(): string[] {
    return this.bodies.filter((b) => b.path === '/api/graph/notifications').map((b) => b.body);
  }

  lifecycle(): string[] {
    return this.bodies.filter((b) => b.path === '/api/graph/lifecycle').map((b) => b.body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://receiver');
    const token = url.searchParams.get('validationToken');
    if (token !== null) {
      // The handshake: 200, text/plain, the decoded token and nothing else (spec §1).
      this.validations.push(url.pathname);
      if (!this.answerValidation) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    }
    this.bodies.push({ path: url.pathname, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(202).end();
  }
}

export async function waitUntil<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('waitUntil: timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
