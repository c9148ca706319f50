import { type Config, loadConfig } from '../../config/index.js';
import {
  type ChangeMessageInput,
  createStateStores,
  StateStoreError,
  type StateStores,
} from '../../state/index.js';
import { adminAuthenticator } from '../adminAuth.js';
import { type App, appOnce, processApp } from '../composition.js';
import type { ReceiveDeps } from './notificationGate.js';
import { settingsRows } from './settingsRows.js';
import { SubscriptionIdCache } from './subscriptionIdCache.js';
import { WebhookCounters } from './webhookCounters.js';

/**
 * What the HTTP functions of one process share, built on first use without any I/O: the config,
 * state stores whose tables and queues are assumed to exist (the full app's start-up and Bicep
 * create them), the webhook counters buffer and the subscription-id cache. The webhook answers
 * from this, never waiting for the full App (storage setup, Graph and Gogs clients) on a cold start.
 */
export interface HttpRuntime {
  config: Config;
  stores: StateStores;
  counters: WebhookCounters;
  subscriptionIds: SubscriptionIdCache;
  /** Set when ADMIN_API_AUDIENCE is: checks an Entra bearer token for a role. */
  authenticate: ReturnType<typeof adminAuthenticator> | undefined;
  /** The full App (for admin routes that read Graph or write Gogs), built once. */
  app: () => Promise<App>;
}

// Per-process caches (STYLE.md allows these, documented): built once per cold start, never reset.
let runtime: HttpRuntime | undefined;
let fullApp: (() => Promise<App>) | undefined;

/** The process's runtime; throws `ConfigError` (not cached) while a setting is bad. */
export function httpRuntime(env: Readonly<Record<string, string | undefined>> = process.env): HttpRuntime {
  if (runtime) return runtime;
  const settings = { ...env };
  const config = loadConfig(settings);
  const stores = createStateStores(config.storage);
  // The process's one App (the worker uses the same), unless a test passed its own settings.
  fullApp ??= env === process.env ? processApp : appOnce(settings);
  const audience = config.admin.apiAudience;
  runtime = {
    config,
    stores,
    counters: new WebhookCounters(settingsRows(stores.settings, stores.clients.table('settings')), {
      // Storage errors name the call and status, never a key; the counts stay buffered.
      onError: (error) => console.warn(`webhook counters not merged yet: ${(error as Error).message}`),
    }),
    subscriptionIds: new SubscriptionIdCache(async () =>
      (await stores.subscriptions.list()).map((record) => record.id),
    ),
    authenticate: audience
      ? adminAuthenticator({
          tenantId: config.graph.tenantId,
          authorityHost: config.graph.authorityHost,
          audience,
        })
      : undefined,
    app: fullApp,
  };
  return runtime;
}

/** The webhook cores' dependencies over the process runtime. */
export function receiveDeps(rt: HttpRuntime): ReceiveDeps {
  return {
    tenantId: rt.config.graph.tenantId,
    clientState: rt.config.graph.clientState,
    previousClientState: rt.config.graph.previousClientState,
    ourSubscriptionIds: () => rt.subscriptionIds.ids(),
    enqueue: (messages) => enqueueAll(rt.stores, messages),
    counters: rt.counters,
    now: Date.now,
  };
}

/** Enqueues in parallel; a missing queue (a fresh account) is created once and the batch retried. */
async function enqueueAll(stores: StateStores, messages: ChangeMessageInput[]): Promise<void> {
  const send = () => Promise.all(messages.map((message) => stores.queue.enqueue(message)));
  try {
    await send();
  } catch (error) {
    if (!(error instanceof StateStoreError) || error.status !== 404) throw error;
    await stores.clients.ensure();
    await send();
  }
}
