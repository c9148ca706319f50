import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DeltaChange, DeltaReader, type DeltaRound } from '../../../src/graph/deltaReader.js';
import { G, type GraphEnv, startGraphEnv, USER_COUNT, userId } from './graphEnv.js';

let env: GraphEnv;
let delta: DeltaReader;

beforeAll(async () => {
  env = await startGraphEnv();
  delta = new DeltaReader(env.graph);
});
afterAll(() => env.close());
beforeEach(async () => {
  await env.control('POST', '/reset');
});

function ok(round: DeltaRound): Extract<DeltaRound, { expired: false }> {
  if (round.expired) throw new Error(`expected a round, got expiry ${round.code}`);
  return round;
}

const byId = (changes: DeltaChange[]) => new Map(changes.map((c) => [c.id, c]));

async function createUser(nickname: string): Promise<string> {
  const user = await env.admin.request<{ id: string }>('POST', '/users', {
    body: {
      accountEnabled: true,
      displayName: nickname,
      mailNickname: nickname,
      userPrincipalName: `${nickname}@contoso.com`,
      passwordProfile: { password: 'Initial-Passw0rd!', forceChangePasswordNextSignIn: true },
    },
  });
  return user.id;
}

const addMember = (group: string, member: string) =>
  env.admin.request('POST', `/groups/${group}/members/$ref`, {
    body: { '@odata.id': `${env.em.url}/v1.0/directoryObjects/${member}` },
  });
const removeMember = (group: string, member: string) =>
  env.admin.request('DELETE', `/groups/${group}/members/${member}/$ref`);

describe('DeltaReader: users', () => {
  it('reads a full round from scratch over many pages and ends with a deltaLink', async () => {
    const round = ok(await delta.readRound('user', { from: 'scratch' }));

    expect(round.changes).toHaveLength(USER_COUNT + 2);
    expect(round.pages).toBeGreaterThan(1);
    expect(round.deltaLink).toContain('$deltatoken=');
    expect(round.changes.every((c) => c.kind === 'user' && c.removed === undefined)).toBe(true);
  });

  it('reports create, update and soft delete as changed objects and a permanent delete as deleted', async () => {
    const start = ok(await delta.readRound('user', { from: 'latest' }));
    const created = await createUser('newbie');
    await env.admin.request('PATCH', `/users/${userId(1)}`, { body: { displayName: 'Renamed' } });
    await env.admin.request('DELETE', `/users/${userId(2)}`);
    await env.admin.request('DELETE', `/users/${userId(3)}`);
    await env.admin.request('DELETE', `/directory/deletedItems/${userId(3)}`);

    const round = ok(await delta.readRound('user', { deltaLink: start.deltaLink }));

    const changes = byId(round.changes);
    expect(changes.get(created)).toEqual({ kind: 'user', id: created, members: [] });
    expect(changes.get(userId(1))?.removed).toBeUndefined();
    expect(changes.get(userId(2))?.removed).toBe('changed');
    expect(changes.get(userId(3))?.removed).toBe('deleted');
    expect(round.changes).toHaveLength(4);
  });

  it('$deltatoken=latest starts from now: no initial state, later changes only', async () => {
    const start = ok(await delta.readRound('user', { from: 'latest' }));
    expect(start.changes).toEqual([]);
    expect(start.pages).toBe(1);
    await env.admin.request('PATCH', `/users/${userId(5)}`, { body: { accountEnabled: false } });

    const round = ok(await delta.readRound('user', { deltaLink: start.deltaLink }));

    expect(round.changes.map((c) => c.id)).toEqual([userId(5)]);
  });

  it('follows empty pages that still carry a nextLink (spec §5)', async () => {
    await env.control('POST', '/faults', { deltaEmptyPages: 3 });
    const start = ok(await delta.readRound('user', { from: 'latest' }));
    await env.admin.request('PATCH', `/users/${userId(5)}`, { body: { displayName: 'X' } });

    const round = ok(await delta.readRound('user', { deltaLink: start.deltaLink }));

    expect(round.changes.map((c) => c.id)).toEqual([userId(5)]);
    expect(round.pages).toBe(4);
  });
});

describe('DeltaReader: groups', () => {
  it('brings members@delta from scratch', async () => {
    const round = ok(await delta.readRound('group', { from: 'scratch' }));

    const leaf = byId(round.changes).get(G.leaf);
    expect(leaf?.members.map((m) => m.id).sort()).toEqual([userId(1), userId(2)].sort());
    expect(leaf?.members.every((m) => !m.removed && m.type === '#microsoft.graph.user')).toBe(true);
  });

  it('reports membership additions and removals in order, and group deletions by kind', async () => {
    const start = ok(await delta.readRound('group', { from: 'latest' }));
    await addMember(G.leaf, userId(10));
    await removeMember(G.leaf, userId(1));
    await env.admin.request('DELETE', `/groups/${G.unified}`);
    await env.admin.request('DELETE', `/groups/${G.security}`);

    const round = ok(await delta.readRound('group', { deltaLink: start.deltaLink }));

    const changes = byId(round.changes);
    expect(changes.get(G.leaf)?.members).toEqual([
      { id: userId(10), type: '#microsoft.graph.user', removed: false },
      { id: userId(1), type: '#microsoft.graph.user', removed: true },
    ]);
    // A Microsoft 365 group is soft-deleted, a security group deleted at once (spec §7).
    expect(changes.get(G.unified)?.removed).toBe('changed');
    expect(changes.get(G.security)?.removed).toBe('deleted');
  });
});

describe('DeltaReader: expired cursors', () => {
  it('turns 410 syncStateNotFound into {expired: true}', async () => {
    const start = ok(await delta.readRound('user', { from: 'latest' }));
    await env.control('POST', '/delta/expire', { style: 'syncStateNotFound' });

    const round = await delta.readRound('user', { deltaLink: start.deltaLink });

    expect(round).toMatchObject({ expired: true, code: 'syncStateNotFound' });
  });

  it('turns 410 resyncRequired into {expired: true}, and a restart from latest works', async () => {
    const start = ok(await delta.readRound('group', { from: 'latest' }));
    await env.control('POST', '/delta/expire', { style: 'resync' });

    const round = await delta.readRound('group', { deltaLink: start.deltaLink });
    const restarted = await delta.readRound('group', { from: 'latest' });

    expect(round).toMatchObject({ expired: true, code: 'resyncRequired' });
    expect(restarted.expired).toBe(false);
  });

  it('treats a mangled cursor ("Badly formed token.") as expired', async () => {
    const start = ok(await delta.readRound('user', { from: 'latest' }));
    const mangled = start.deltaLink.replace(/\$deltatoken=[^&]+/, '$deltatoken=not-a-token');

    expect(await delta.readRound('user', { deltaLink: mangled })).toMatchObject({ expired: true });
  });
});
