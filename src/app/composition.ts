import { readFileSync } from 'node:fs';
import { type Config, loadConfig } from '../config/index.js';
import { GogsClient } from '../gogs/gogsClient.js';
import { GogsServer } from '../gogs/gogsServer.js';
import { DeltaReader } from '../graph/deltaReader.js';
import { GraphClient } from '../graph/graphClient.js';
import { createGraphCredential } from '../graph/graphCredential.js';
import { GraphDirectory } from '../graph/graphDirectory.js';
import { SubscriptionManager } from '../graph/subscriptionManager.js';
import { createStateStores, type StateStores } from '../state/stateStores.js';
import { policyFromConfig, type SyncPolicy, scopeGroups } from '../sync/policy.js';
import type { Clock } from '../sync/ports.js';

/** Every adapter the functions need, built once per cold start (STYLE.md: one composition file). */
export interface App {
  config: Config;
  policy: SyncPolicy;
  clock: Clock;
  stores: StateStores;
  gogs: GogsServer;
  graph: GraphClient;
  directory: GraphDirectory;
  delta: DeltaReader;
  subscriptions: SubscriptionManager;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Extra trust for local emulators, which settings can't carry. */
export interface BuildOptions {
  /** A CA that signs Graph's (the emulator's) certificate, for the token credential and Graph calls. */
  graphCaPem?: string;
}

/** Builds the app from settings; throws `ConfigError` listing every bad setting. */
export function buildApp(
  env: Readonly<Record<string, string | undefined>>,
  clock: Clock = systemClock,
  options: BuildOptions = {},
): App {
  const config = loadConfig(env);
  const policy = policyFromConfig(config);
  const stores = createStateStores(config.storage);
  const caCert = config.gogs.caCert;
  const gogsClient = new GogsClient({
    baseUrl: config.gogs.url,
    token: config.gogs.token,
    ...(caCert ? { caPem: caCert.kind === 'pem' ? caCert.pem : readFileSync(caCert.path, 'utf8') } : {}),
  });
  const gogs = new GogsServer(gogsClient, { unmanagedTeams: config.policy.unmanagedTeamsOnOffboard });
  const graphCa = options.graphCaPem ? { caPem: options.graphCaPem } : {};
  const graph = new GraphClient({
    baseUrl: config.graph.baseUrl,
    credential: createGraphCredential(config.graph, graphCa),
    ...graphCa,
  });
  return {
    config,
    policy,
    clock,
    stores,
    gogs,
    graph,
    directory: new GraphDirectory(graph, [...scopeGroups(policy)]),
    delta: new DeltaReader(graph),
    subscriptions: new SubscriptionManager(graph, stores.subscriptions, clock, {
      notificationUrl: config.graph.notificationUrl,
      lifecycleNotificationUrl: config.graph.lifecycleNotificationUrl,
      clientState: config.graph.clientState,
    }),
  };
}

/**
 * The app of this process, built on first use and kept for the instance's life; storage
 * containers are created once. A failed build is not cached, so a fixed setting takes effect.
 */
export function appOnce(env: Readonly<Record<string, string | undefined>> = process.env): () => Promise<App> {
  let ready: Promise<App> | undefined;
  return () => {
    ready ??= (async () => {
      const app = buildApp(env);
      await app.stores.clients.ensure();
      return app;
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}

/** The app of this process, shared by every function file (one composition per process). */
export const processApp: () => Promise<App> = appOnce();
