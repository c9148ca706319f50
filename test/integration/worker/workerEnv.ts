import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import { startGogsEmulator } from '../../../emulators/gogs/index.js';
import { type GraphEmulatorHandle, type Seed, startGraphEmulator } from '../../../emulators/graph/index.js';
import { type App, buildApp } from '../../../src/app/composition.js';
import { type HandleResult, handleMessage } from '../../../src/app/worker/index.js';
import { Secret } from '../../../src/config/index.js';
import { GraphClient } from '../../../src/graph/graphClient.js';
import { createGraphCredential } from '../../../src/graph/graphCredential.js';
import { type ChangeMessage, type ChangeMessageInput, parseChangeMessage } from '../../../src/state/index.js';
import { startAzurite } from '../../support/azurite.js';

export const TENANT = '7d1e0c52-5d2f-4c55-9a1e-7c1f00000001';
const SYNC_APP = { clientId: '7d1e0c52-5d2f-4c55-9a1e-7c1f0000a001', clientSecret: 'worker-sync-secret' };
const ADMIN_APP = { clientId: '7d1e0c52-5d2f-4c55-9a1e-7c1f0000a002', clientSecret: 'worker-admin-secret' };

const gid = (n: number) => `7d1e0c52-0000-4000-9000-${String(n).padStart(12, '0')}`;
const uid = (n: number) => `7d1e0c52-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** Engineering ⊃ Contractors (nested), Platform Admins (site admins), and a group nobody maps. */
export const G = { engineering: gid(1), contractors: gid(2), admins: gid(3), unrelated: gid(4) };
export const U = { adele: uid(1), alex: uid(2) };

export function workerSeed(): Seed {
  return {
    tenant: { id: TENANT, displayName: 'Worker tests' },
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
    users: [
      {
        id: U.adele,
        displayName: 'Adele Vance',
        mailNickname: 'adele',
        userPrincipalName: 'adele@contoso.com',
        mail: 'adele@contoso.com',
      },
      {
        id: U.alex,
        displayName: 'Alex Wilber',
        mailNickname: 'alex',
        userPrincipalName: 'alex@contoso.com',
        mail: 'alex@contoso.com',
      },
    ],
    groups: [
      { id: G.engineering, displayName: 'Engineering', members: [U.adele, G.contractors] },
      { id: G.contractors, displayName: 'Contractors', members: [U.alex] },
      { id: G.admins, displayName: 'Platform Admins', isAssignableToRole: true, members: [] },
      { id: G.unrelated, displayName: 'Marketing', members: [] },
    ],
  };
}

export interface GogsUserState {
  username: string;
  email: string;
  fullName: string;
  active: boolean;
  isAdmin: boolean;
  keys: unknown[];
  teams: { org: string; team: string }[];
}

export interface WorkerEnv {
  app: App;
  graphEm: GraphEmulatorHandle;
  gogsUrl: string;
  /** The directory-admin app: changes the directory through Graph's own API. */
  admin: GraphClient;
  handle(
    input: Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] },
    dequeueCount?: number,
  ): Promise<HandleResult>;
  createUser(nickname: string, displayName: string): Promise<string>;
  addMember(groupId: string, memberId: string): Promise<void>;
  removeMember(groupId: string, memberId: string): Promise<void>;
  gogsUser(username: string): Promise<GogsUserState | undefined>;
  gogsControl(method: string, path: string, body?: unknown): Promise<unknown>;
  graphControl(method: string, path: string, body?: unknown): Promise<unknown>;
  /**
   * Receives (and deletes) the messages visible in `graph-changes`; with `atLeast`, polls until that
   * many arrived (delayed messages become visible later) or the deadline passes.
   */
  takeMessages(options?: { atLeast?: number; timeoutMs?: number }): Promise<ChangeMessage[]>;
  clearQueues(): Promise<void>;
  poisonCount(): Promise<number>;
  close(): Promise<void>;
}

export async function startWorkerEnv(overrides: Record<string, string> = {}): Promise<WorkerEnv> {
  const [azurite, graphEm, gogs] = await Promise.all([
    startAzurite(),
    startGraphEmulator({ port: 0, seed: workerSeed() }),
    startGogsEmulator({ port: 0 }),
  ]);
  const env: Record<string, string> = {
    AZURE_TENANT_ID: graphEm.tenantId,
    GRAPH_CLIENT_ID: SYNC_APP.clientId,
    GRAPH_CLIENT_SECRET: SYNC_APP.clientSecret,
    GRAPH_BASE_URL: graphEm.url,
    GRAPH_AUTHORITY_HOST: graphEm.url,
    NOTIFICATION_URL: 'http://127.0.0.1:9/api/graph/notifications?code=fn-key',
    GRAPH_CLIENT_STATE: 'worker-client-state',
    GOGS_URL: gogs.url,
    GOGS_TOKEN: gogs.adminToken,
    GOGS_LOGIN_SOURCE_ID: '0',
    SYNC_MAPPING: JSON.stringify({
      scope: 'mappedGroups',
      siteAdminGroup: G.admins,
      teams: [{ group: G.engineering, org: 'acme', team: 'engineering', permission: 'write' }],
    }),
    RECHECK_DELAY: '1s',
    RETRY_BASE: '100ms',
    RETRY_HORIZON: '1h',
    AzureWebJobsStorage: azurite.connectionString,
    ...overrides,
  };
  const app = buildApp(env, undefined, { graphCaPem: graphEm.caPem });
  await app.stores.clients.ensure();
  const admin = new GraphClient({
    baseUrl: graphEm.url,
    caPem: graphEm.caPem,
    credential: createGraphCredential(
      {
        tenantId: graphEm.tenantId,
        authorityHost: graphEm.url,
        credential: {
          kind: 'clientSecret',
          clientId: ADMIN_APP.clientId,
          clientSecret: new Secret(ADMIN_APP.clientSecret),
        },
      },
      { caPem: graphEm.caPem },
    ),
  });
  const changes = app.stores.clients.queue('changes');
  const poison = app.stores.clients.queue('poison');
  const gogsControl = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${gogs.url}/_emulator${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  return {
    app,
    graphEm,
    gogsUrl: gogs.url,
    admin,
    handle: (input, dequeueCount = 1) =>
      handleMessage(app, { receivedAt: Date.now(), ...input }, { messageId: randomUUID(), dequeueCount }),
    createUser: async (nickname, displayName) => {
      const created = await admin.request<{ id: string }>('POST', '/users', {
        body: {
          accountEnabled: true,
          displayName,
          mailNickname: nickname,
          userPrincipalName: `${nickname}@contoso.com`,
          mail: `${nickname}@contoso.com`,
          passwordProfile: { password: 'Str0ng!Passw0rd' },
        },
      });
      return created.id;
    },
    addMember: async (groupId, memberId) => {
      await admin.request('POST', `/groups/${groupId}/members/$ref`, {
        body: { '@odata.id': `${graphEm.url}/v1.0/directoryObjects/${memberId}` },
      });
    },
    removeMember: async (groupId, memberId) => {
      await admin.request('DELETE', `/groups/${groupId}/members/${memberId}/$ref`);
    },
    gogsUser: async (username) => {
      const state = (await gogsControl('GET', '/state')) as { users: GogsUserState[] };
      return state.users.find((u) => u.username.toLowerCase() === username.toLowerCase());
    },
    gogsControl,
    graphControl: (method, path, body) =>
      admin.request(method, `${graphEm.url}/_emulator${path}`, body === undefined ? {} : { body }),
    takeMessages: (options = {}) => take(changes, options.atLeast ?? 0, options.timeoutMs ?? 10_000),
    clearQueues: async () => {
      await Promise.all([changes.clearMessages(), poison.clearMessages()]);
    },
    poisonCount: async () => (await poison.peekMessages({ numberOfMessages: 32 })).peekedMessageItems.length,
    close: async () => {
      admin.close();
      await Promise.allSettled([graphEm.close(), gogs.close(), azurite.stop()]);
    },
  };
}

async function take(queue: QueueClient, atLeast: number, timeoutMs: number): Promise<ChangeMessage[]> {
  const end = Date.now() + timeoutMs;
  const messages: ChangeMessage[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: 32,
      visibilityTimeout: 60,
    });
    for (const item of receivedMessageItems) {
      messages.push(parseChangeMessage(item.messageText));
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
    if (receivedMessageItems.length > 0) continue;
    if (messages.length >= atLeast || Date.now() > end) return messages;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Polls until `probe` returns a truthy value or the deadline passes (no fixed sleeps). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error('eventually: timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
