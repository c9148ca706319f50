import type { AddressInfo } from 'node:net';
import { randomHex } from './crypto.js';
import { createGogsServer } from './server.js';

export interface GogsEmulatorOptions {
  /** 0 or omitted: any free port. */
  port?: number;
  /** Loopback only: `127.0.0.1` (default) or `::1`. */
  host?: string;
  /** Access token of the site admin `root`; a random 40-hex token when omitted. */
  adminToken?: string;
  /** Password of `root`, for Basic auth; default `root-password`. */
  adminPassword?: string;
}

export interface RunningGogsEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  adminToken: string;
  adminPassword: string;
  close(): Promise<void>;
}

export const DEFAULT_ADMIN_PASSWORD = 'root-password';

/** Starts the in-memory Gogs emulator on loopback (DESIGN §6, spec/gogs-api.md). */
export async function startGogsEmulator(opts: GogsEmulatorOptions = {}): Promise<RunningGogsEmulator> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') {
    throw new Error(`the Gogs emulator listens on loopback only (127.0.0.1 or ::1), not ${host}`);
  }
  const adminToken = opts.adminToken ?? randomHex(20);
  const adminPassword = opts.adminPassword ?? DEFAULT_ADMIN_PASSWORD;
  const { server, setBaseUrl } = createGogsServer({ adminToken, adminPassword });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  setBaseUrl(`${url}/`);
  return {
    url,
    adminToken,
    adminPassword,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
