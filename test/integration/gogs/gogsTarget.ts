import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { startGogsEmulator } from '../../../emulators/gogs/index.js';
import { GogsClient } from '../../../src/gogs/gogsClient.js';
import { GogsServer } from '../../../src/gogs/gogsServer.js';

/**
 * The Gogs the contract suite runs against: the emulator, or a real Gogs when GOGS_TEST_URL and
 * GOGS_TEST_TOKEN are set (docs/testing.md). `emulator` is undefined against a real Gogs, so
 * assertions that need `/_emulator/` can't run there.
 */
export interface GogsTarget {
  url: string;
  token: string;
  emulator?: {
    state(): Promise<EmulatorState>;
    faults(config: Record<string, unknown> | null): Promise<void>;
  };
  close(): Promise<void>;
}

export interface EmulatorUser {
  username: string;
  email: string;
  active: boolean;
  isAdmin: boolean;
  sourceId: number;
  loginName: string;
  website: string;
  location: string;
  passwordVersion: number;
  keys: unknown[];
  orgMemberships: unknown[];
}

export interface EmulatorState {
  users: EmulatorUser[];
  orgs: { username: string; teams: { name: string; members: string[]; permission: string }[] }[];
}

export async function gogsTarget(): Promise<GogsTarget> {
  const url = process.env.GOGS_TEST_URL;
  const token = process.env.GOGS_TEST_TOKEN;
  if (url && token) return { url, token, close: async () => {} };
  const emulator = await startGogsEmulator({ port: 0 });
  const control = (path: string, init?: RequestInit) => fetch(`${emulator.url}/_emulator/${path}`, init);
  return {
    url: emulator.url,
    token: emulator.adminToken,
    emulator: {
      state: async () => (await (await control('state')).json()) as EmulatorState,
      faults: async (config) => {
        const init = config
          ? { method: 'POST', body: JSON.stringify(config), headers: { 'content-type': 'application/json' } }
          : { method: 'DELETE' };
        const response = await control('faults', init);
        if (!response.ok) throw new Error(`faults: ${response.status} ${await response.text()}`);
      },
    },
    close: () => emulator.close(),
  };
}

export function gogsServerFor(target: GogsTarget, options: { retries?: number; listingLimit?: number } = {}) {
  const client = new GogsClient({
    baseUrl: target.url,
    token: { reveal: () => target.token },
    retries: options.retries ?? 4,
    retryBaseMs: 5,
    timeoutMs: 5_000,
  });
  return new GogsServer(client, { unmanagedTeams: 'report', listingLimit: options.listingLimit ?? 1024 });
}

/** A unique name per run, so the suite can run against a real Gogs that keeps earlier runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** An OpenSSH ed25519 public key line, valid for Gogs' key parser. */
export function anSshKey(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' });
  const raw = der.subarray(der.length - 32);
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(raw)]).toString('base64')}`;
}
