import { JSON_CONTENT_TYPE, type Reply } from './context.js';
import { type FaultConfig, type Faults, parseFaultConfig } from './faults.js';
import type { Collaboration } from './model.js';
import { snapshot } from './snapshot.js';
import type { GogsStore } from './store.js';

/** What `/_emulator/*` may read and replace; owned by the server. */
export interface EmulatorControl {
  store: GogsStore;
  readonly faults: Faults;
  readonly calls: Map<string, number>;
  reset(): void;
}

function json(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(value) };
}

function problem(status: number, error: string): Reply {
  return json(status, { error });
}

function parseBody(body: Buffer): Record<string, unknown> | string {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
    return 'body must be a JSON object';
  } catch {
    return 'body is not valid JSON';
  }
}

function describeFaults(config: FaultConfig | undefined): unknown {
  return { faults: config ?? null };
}

/** Emulator-only endpoints: no auth, never counted, never faulted. */
export function handleEmulatorRequest(
  ctl: EmulatorControl,
  method: string,
  path: string,
  body: Buffer,
): Reply {
  const parts = path.split('/').slice(2).map(decodeURIComponent);
  const route = `${method} ${parts.join('/')}`;
  if (route === 'GET state') return json(200, snapshot(ctl.store));
  if (route === 'POST reset') {
    ctl.reset();
    return json(200, { ok: true });
  }
  if (route === 'GET faults') return json(200, describeFaults(ctl.faults.current()));
  if (route === 'DELETE faults') {
    ctl.faults.clear();
    return json(200, describeFaults(undefined));
  }
  if (route === 'POST faults') {
    const parsed = parseBody(body);
    if (typeof parsed === 'string') return problem(400, parsed);
    const config = parseFaultConfig(parsed);
    if (typeof config === 'string') return problem(400, config);
    if (config) ctl.faults.set(config);
    else ctl.faults.clear();
    return json(200, describeFaults(config));
  }
  if (route === 'GET calls')
    return json(200, Object.fromEntries([...ctl.calls].sort(([a], [b]) => a.localeCompare(b))));
  if (route === 'DELETE calls') {
    ctl.calls.clear();
    return json(200, {});
  }
  if (method === 'POST' && parts.length === 3 && parts[0] === 'users') {
    const parsed = parseBody(body);
    if (typeof parsed === 'string') return problem(400, parsed);
    return userAction(ctl.store, parts[1] ?? '', parts[2] ?? '', parsed);
  }
  return problem(404, `no emulator endpoint ${method} ${path}`);
}

function userAction(
  store: GogsStore,
  username: string,
  action: string,
  body: Record<string, unknown>,
): Reply {
  const user = store.accountByName(username);
  if (user?.type !== 'user') return problem(404, `no user ${username}`);
  if (action === 'prohibit-login') {
    if (typeof body.value !== 'boolean') return problem(400, 'value must be true or false');
    user.prohibitLogin = body.value;
    return json(200, { username: user.name, prohibitLogin: user.prohibitLogin });
  }
  if (action === 'check-password') {
    if (typeof body.password !== 'string') return problem(400, 'password must be a string');
    return json(200, { username: user.name, valid: store.checkPassword(user, body.password) });
  }
  if (action === 'collaborations') {
    const repoPath = typeof body.repo === 'string' ? body.repo.split('/') : [];
    const owner = repoPath.length === 2 ? store.accountByName(repoPath[0] ?? '') : undefined;
    const repo = owner ? store.repoByName(owner.id, repoPath[1] ?? '') : undefined;
    if (!repo) return problem(404, 'repo must name an existing repository as "owner/name"');
    const mode = body.mode ?? 'write';
    if (mode !== 'read' && mode !== 'write' && mode !== 'admin')
      return problem(400, 'mode must be read, write or admin');
    const existing = store.collaborations.find((c) => c.repoId === repo.id && c.userId === user.id);
    if (existing) existing.mode = mode;
    else {
      const row: Collaboration = { repoId: repo.id, userId: user.id, mode };
      store.collaborations.push(row);
    }
    return json(201, { username: user.name, repo: body.repo, mode });
  }
  return problem(404, `no emulator action ${action}`);
}
