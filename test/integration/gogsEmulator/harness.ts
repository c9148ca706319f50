import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningGogsEmulator, startGogsEmulator } from '../../../emulators/gogs/index.js';

export const ADMIN_TOKEN = 'a'.repeat(40);
export const ROOT_PASSWORD = 'root-password';

export interface CallOptions {
  token?: string;
  basic?: [string, string];
  /** Sent as JSON unless `raw` is given. */
  body?: unknown;
  raw?: string;
  contentType?: string | null;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  json: <T = unknown>() => T;
}

export interface Harness {
  readonly url: string;
  call(method: string, path: string, opts?: CallOptions): Promise<Answer>;
  /** Calls as the site admin (token auth). */
  admin(method: string, path: string, body?: unknown): Promise<Answer>;
  state(): Promise<EmulatorState>;
  createUser(username: string, extra?: Record<string, unknown>): Promise<Answer>;
  createOrg(owner: string, name: string): Promise<Answer>;
  tokenFor(username: string, password: string): Promise<string>;
}

export interface UserState {
  id: number;
  username: string;
  fullName: string;
  email: string;
  active: boolean;
  prohibitLogin: boolean;
  isAdmin: boolean;
  sourceId: number;
  loginName: string;
  website: string;
  location: string;
  allowGitHook: boolean;
  allowImportLocal: boolean;
  maxRepoCreation: number;
  passwordVersion: number;
  emptyPassword: boolean;
  keys: { id: number; title: string; content: string }[];
  tokens: { id: number; name: string }[];
  orgMemberships: { org: string; isOwner: boolean; isPublic: boolean }[];
  teams: { org: string; team: string; teamId: number; permission: string }[];
  collaborations: { repo: string; mode: string }[];
  repos: { id: number; name: string; private: boolean }[];
}

export interface EmulatorState {
  users: UserState[];
  orgs: {
    id: number;
    username: string;
    members: { username: string; isOwner: boolean; isPublic: boolean }[];
    teams: { id: number; name: string; permission: string; members: string[]; repos: string[] }[];
  }[];
  repos: {
    owner: string;
    name: string;
    private: boolean;
    collaborators: { username: string; mode: string }[];
  }[];
}

/** Starts one emulator for the file and resets it before every test. */
export function useGogsEmulator(): Harness {
  let emulator: RunningGogsEmulator | undefined;
  beforeAll(async () => {
    emulator = await startGogsEmulator({ port: 0, adminToken: ADMIN_TOKEN });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(async () => {
    await fetch(`${harness.url}/_emulator/reset`, { method: 'POST' });
  });

  const harness: Harness = {
    get url() {
      if (!emulator) throw new Error('emulator not started');
      return emulator.url;
    },
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token !== undefined) headers.authorization = `token ${opts.token}`;
      if (opts.basic) headers.authorization = `Basic ${Buffer.from(opts.basic.join(':')).toString('base64')}`;
      let body: string | undefined;
      if (opts.raw !== undefined) body = opts.raw;
      else if (opts.body !== undefined) body = JSON.stringify(opts.body);
      const contentType =
        opts.contentType === undefined ? (body === undefined ? null : 'application/json') : opts.contentType;
      if (contentType !== null) headers['content-type'] = contentType;
      // A Buffer body keeps fetch from adding its own text/plain Content-Type.
      const payload = body === undefined ? {} : { body: Buffer.from(body) };
      const res = await fetch(`${harness.url}${path}`, { method, headers, ...payload });
      const text = await res.text();
      return {
        status: res.status,
        contentType: res.headers.get('content-type'),
        text,
        json: () => JSON.parse(text),
      };
    },
    admin(method, path, body) {
      return harness.call(method, path, { token: ADMIN_TOKEN, ...(body === undefined ? {} : { body }) });
    },
    async state() {
      const res = await fetch(`${harness.url}/_emulator/state`);
      return (await res.json()) as EmulatorState;
    },
    createUser(username, extra = {}) {
      return harness.admin('POST', '/api/v1/admin/users', {
        username,
        email: `${username.toLowerCase()}@example.com`,
        password: `${username}-password`,
        ...extra,
      });
    },
    createOrg(owner, name) {
      return harness.admin('POST', `/api/v1/admin/users/${owner}/orgs`, { username: name });
    },
    async tokenFor(username, password) {
      const res = await harness.call('POST', `/api/v1/users/${username}/tokens`, {
        basic: [username, password],
        body: { name: `t-${Math.random()}` },
      });
      return res.json<{ sha1: string }>().sha1;
    },
  };
  return harness;
}

export function userOf(state: EmulatorState, username: string): UserState {
  const user = state.users.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username} in state`);
  return user;
}

/** A fresh OpenSSH `ssh-ed25519` public key line. */
export function anEd25519Key(comment = 'test@host'): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  const str = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([str(Buffer.from('ssh-ed25519')), str(raw)]);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}
