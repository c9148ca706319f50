import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import azf from '@azure/functions';
import type { QueueClient } from '@azure/storage-queue';
import { type RunningGogsEmulator, startGogsEmulator } from '../../../emulators/gogs/index.js';
import { Secret } from '../../../src/config/index.js';
import { type ChangeMessage, parseChangeMessage, StorageClients } from '../../../src/state/index.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';

export const TENANT = '0b7d3c52-5d2f-4c55-9a1e-7c1f00000001';
export const CLIENT_STATE = 'integration-client-state-1';
export const PREVIOUS_STATE = 'integration-client-state-0';
export const AUTHORITY = 'https://login.test';
export const GROUP = '9a1e4c2b-7d3f-4e5a-8b6c-1f2e3d4c5b6a';

export interface HttpEnv {
  azurite: RunningAzurite;
  gogs: RunningGogsEmulator | undefined;
  /** The change queue and its poison queue, read directly (default names, as the app uses). */
  changes: QueueClient;
  poison: QueueClient;
  stop(): Promise<void>;
}

/**
 * Azurite (and the Gogs emulator when a route writes to Gogs), then the app's settings in
 * process.env before the first handler call builds the per-process runtime. Graph is never called
 * by these routes: its URLs point at an unused loopback port.
 */
export async function startHttpEnv(options: { gogs?: boolean; audience?: string } = {}): Promise<HttpEnv> {
  const azurite = await startAzurite();
  const gogs = options.gogs ? await startGogsEmulator() : undefined;
  const env: Record<string, string | undefined> = {
    AZURE_TENANT_ID: TENANT,
    GRAPH_CLIENT_ID: 'd4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d',
    GRAPH_CLIENT_SECRET: 'graph-secret',
    GRAPH_BASE_URL: 'https://127.0.0.1:9',
    GRAPH_AUTHORITY_HOST: AUTHORITY,
    NOTIFICATION_URL: 'https://sync.example.com/api/graph/notifications?code=fn-key',
    GRAPH_CLIENT_STATE: CLIENT_STATE,
    GRAPH_CLIENT_STATE_PREVIOUS: PREVIOUS_STATE,
    GOGS_URL: gogs?.url ?? 'http://127.0.0.1:9',
    GOGS_TOKEN: gogs?.adminToken ?? 'unused-token',
    SYNC_MAPPING: JSON.stringify({
      scope: 'mappedGroups',
      teams: [{ group: GROUP, org: 'acme', team: 'engineering', permission: 'write' }],
    }),
    AzureWebJobsStorage: azurite.connectionString,
    ADMIN_API_AUDIENCE: options.audience,
  };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const clients = new StorageClients({
    kind: 'connectionString',
    connectionString: new Secret(azurite.connectionString),
    development: false,
  });
  return {
    azurite,
    gogs,
    changes: clients.queue('changes'),
    poison: clients.queue('poison'),
    stop: async () => {
      await gogs?.close();
      await azurite.stop();
    },
  };
}

type Handler = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export interface Call {
  method?: string;
  path: string;
  query?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Calls a registered handler directly (spec/tooling.md §4) and reads its answer like a client. */
export async function call(handler: Handler, options: Call) {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const request = new azf.HttpRequest({
    method: options.method ?? 'GET',
    url: `https://sync.example.com/api/${options.path}${options.query ? `?${options.query}` : ''}`,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    params: options.params ?? {},
    ...(body === undefined ? {} : { body: { string: body } }),
  });
  const logs: string[] = [];
  const context = new azf.InvocationContext({
    functionName: 'test',
    logHandler: (_level, ...args) => logs.push(args.map(String).join(' ')),
  });
  const init = await handler(request, context);
  const response = new azf.HttpResponse(init);
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: test convenience over arbitrary JSON
  return { status: response.status, headers: response.headers, text, json: json as any, logs };
}

/** Every message waiting in a queue (a peek: they stay), parsed. */
export async function peekAll(queue: QueueClient): Promise<ChangeMessage[]> {
  const { peekedMessageItems } = await queue.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((item) => parseChangeMessage(item.messageText));
}

export async function drain(queue: QueueClient): Promise<void> {
  await queue.clearMessages();
}
