import { rm } from 'node:fs/promises';
import { ensureCerts } from './certs.js';
import { Entra } from './entra.js';
import type { Timing } from './faults.js';
import { loadSeed } from './seed.js';
import { GraphEmulatorServer } from './server.js';
import type { Seed } from './types.js';

export type { Seed } from './types.js';

export interface GraphEmulatorOptions {
  port?: number;
  /** A seed object or the path of a seed JSON file; default: seeds/demo.json. */
  seed?: Seed | string;
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** Reuse (or create) ca.pem/server.pem/server.key here; default: a fresh temp dir. */
  certDir?: string;
  /** Tunables (retry backoff, batch window, delta page size, …); defaults follow Graph. */
  timing?: Partial<Timing>;
}

export interface GraphEmulatorHandle {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Second seed app (write roles), when the seed has one. */
  adminClientId: string | null;
  adminClientSecret: string | null;
  /** Path of the CA certificate that signs the server certificate. */
  caCert: string;
  caPem: string;
  /** App Service-style managed identity endpoint (plain http on loopback) and its header secret. */
  identityEndpoint: string;
  identityHeader: string;
  managedIdentityClientId: string;
  /** The in-process server, for tests that need to look inside. */
  server: GraphEmulatorServer;
  close(): Promise<void>;
}

/** Starts the Graph and Entra emulator on https://localhost:{port} (127.0.0.1 only). */
export async function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulatorHandle> {
  const [seed, certs, entra] = await Promise.all([
    loadSeed(opts.seed),
    ensureCerts(opts.certDir),
    Entra.create(),
  ]);
  const server = new GraphEmulatorServer(
    seed,
    {
      ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
      ...(opts.clientId ? { clientId: opts.clientId } : {}),
      ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
    },
    entra,
    certs,
    opts.timing,
  );
  const { url, identityEndpoint } = await server.listen(opts.port ?? 0);
  const [app, admin] = server.tenant.apps;
  if (!app?.clientSecret) throw new Error('seed: the first app needs a clientSecret');
  return {
    url,
    tenantId: server.directory.tenantId,
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    adminClientId: admin?.clientId ?? null,
    adminClientSecret: admin?.clientSecret ?? null,
    caCert: certs.caCertPath,
    caPem: certs.caPem,
    identityEndpoint,
    identityHeader: server.faults.identityHeader,
    managedIdentityClientId: server.tenant.managedIdentity.clientId,
    server,
    close: async () => {
      await server.close();
      // A temp cert dir is ours to remove; a --cert-dir is kept for reuse.
      if (!opts.certDir) await rm(certs.dir, { recursive: true, force: true });
    },
  };
}
