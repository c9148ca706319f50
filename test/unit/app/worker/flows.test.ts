import { describe, expect, it } from 'vitest';
import {
  handleMessage,
  INLINE_FOLLOW_UPS,
  RECONCILE_LEASE,
  RENEW_LEASE,
} from '../../../../src/app/worker/index.js';
import { groupKey } from '../../../../src/domain/types.js';
import type { ChangeMessageInput } from '../../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

const ENGINEERING = anObjectId(2001);
const CONTRACTORS = anObjectId(2002);
const ADMINS = anObjectId(2003);
const ELSEWHERE = anObjectId(2004);

function world() {
  const w = fakeWorld(
    aPolicy({
      siteAdminGroup: ADMINS,
      mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }],
    }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  const alex = aUser({ mailNickname: 'alex' });
  for (const u of [adele, alex]) w.directory.users.set(u.id, u);
  w.directory.groups.set(ENGINEERING, new Set([adele.id, CONTRACTORS]));
  w.directory.groups.set(CONTRACTORS, new Set([alex.id]));
  w.directory.groups.set(ADMINS, new Set());
  w.directory.groups.set(ELSEWHERE, new Set());
  w.graph.nested.set(ENGINEERING, [CONTRACTORS]);
  return { ...w, adele, alex };
}

type Input = Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] };
const handle = (w: ReturnType<typeof world>, input: Input) =>
  handleMessage(w.app, { receivedAt: w.clock.now(), ...input }, { messageId: 'msg-1', dequeueCount: 1 });

describe('group changes', () => {
  it('reconciles the team of the scope group above a nested group, marking the scope group first', async () => {
    const w = world();

    const result = await handle(w, { kind: 'group', objectId: CONTRACTORS });

    expect(result).toMatchObject({ status: 'done' });
    expect(w.git.teamMembers('acme', 'engineering').sort()).toEqual(['adele', 'alex']);
    expect(w.state.events.get(groupKey(ENGINEERING))).toBe(w.clock.now());
    expect(w.queue.take()).toEqual([
      {
        message: expect.objectContaining({ kind: 'group', objectId: CONTRACTORS, source: 'recheck' }),
        delayMs: 60_000,
      },
    ]);
    expect(w.settings.values.get(`groupsBeneath:${ENGINEERING}`)?.value).toMatchObject({
      groups: [CONTRACTORS],
    });
  });

  it('finds a scope group above a group nested two levels down', async () => {
    const w = world();
    const deep = anObjectId(2005);
    const carol = aUser({ mailNickname: 'carol' });
    w.directory.users.set(carol.id, carol);
    w.directory.groups.set(deep, new Set([carol.id]));
    w.directory.groups.get(CONTRACTORS)?.add(deep);
    w.graph.nested.set(CONTRACTORS, [deep]);

    const result = await handle(w, { kind: 'group', objectId: deep });

    expect(result).toMatchObject({ status: 'done' });
    expect(w.git.teamMembers('acme', 'engineering')).toContain('carol');
  });

  it('ignores a group outside every scope group and the groups beneath them', async () => {
    const w = world();
    const result = await handle(w, { kind: 'group', objectId: ELSEWHERE });
    expect(result).toMatchObject({ status: 'skipped' });
    expect(w.directory.reads).toBe(0);
  });

  it('learns a newly nested group when its scope group changes', async () => {
    const w = world();
    await handle(w, { kind: 'group', objectId: ELSEWHERE });
    w.directory.groups.get(ENGINEERING)?.add(ELSEWHERE);
    w.graph.nested.set(ENGINEERING, [CONTRACTORS, ELSEWHERE]);

    await handle(w, { kind: 'group', objectId: ENGINEERING, source: 'recheck' });
    const result = await handle(w, { kind: 'group', objectId: ELSEWHERE, source: 'recheck' });

    expect(result).toMatchObject({ status: 'done' });
  });

  it('takes a member removed from the group out of the team and out of scope', async () => {
    const w = world();
    await handle(w, { kind: 'group', objectId: ENGINEERING });
    w.directory.groups.get(CONTRACTORS)?.delete(w.alex.id);
    w.clock.advance(1_000);

    await handle(w, { kind: 'group', objectId: CONTRACTORS });

    expect(w.git.teamMembers('acme', 'engineering')).toEqual(['adele']);
    expect(w.git.hidden('alex').active).toBe(false);
  });

  it('makes site-admin group members admins and takes the role back from those who left', async () => {
    const w = world();
    await handle(w, { kind: 'group', objectId: ENGINEERING });
    w.directory.groups.get(ADMINS)?.add(w.adele.id);
    w.clock.advance(1_000);
    await handle(w, { kind: 'group', objectId: ADMINS });
    expect(w.git.hidden('adele').admin).toBe(true);

    w.directory.groups.get(ADMINS)?.delete(w.adele.id);
    w.clock.advance(1_000);
    await handle(w, { kind: 'group', objectId: ADMINS });
    expect(w.git.hidden('adele')).toMatchObject({ admin: false, active: true });
  });

  it('plans the first follow-ups inline and sends the rest through the queue as re-checks', async () => {
    const w = world();
    // Neither the budget nor the suspect-read rule is under test here.
    w.app.policy.maxDeprovision = 1_000;
    const many = Array.from({ length: INLINE_FOLLOW_UPS + 3 }, (_, i) =>
      aUser({ mailNickname: `crowd${i}` }),
    );
    for (const u of many) {
      w.directory.users.set(u.id, u);
      w.directory.groups.get(CONTRACTORS)?.add(u.id);
    }
    await handle(w, { kind: 'group', objectId: CONTRACTORS });
    w.queue.take();
    w.directory.groups.set(CONTRACTORS, new Set([w.alex.id]));
    w.clock.advance(1_000);

    await handle(w, { kind: 'group', objectId: CONTRACTORS, source: 'recheck' });

    const rechecks = w.queue.take().filter((s) => s.message.kind === 'user');
    expect(rechecks).toHaveLength(3);
    expect(rechecks.every((s) => s.message.kind === 'user' && s.message.source === 'recheck')).toBe(true);
  });

  it('retries, rather than plans on, a group read that failed', async () => {
    const w = world();
    w.directory.failingGroups.add(ENGINEERING);
    const result = await handle(w, { kind: 'group', objectId: CONTRACTORS });
    expect(result).toMatchObject({ status: 'retried', reason: expect.stringMatching(/members of group/) });
    expect(w.git.allTeams()).toEqual([]);
  });
});

describe('reconcile runs', () => {
  it('holds the reconcile lease, records the run with counts and the group sizes', async () => {
    const w = world();

    const result = await handle(w, { kind: 'reconcile' });

    expect(w.namedLeases).toEqual([RECONCILE_LEASE]);
    const runId = 'runId' in result ? (result.runId ?? '') : '';
    expect(w.runs.get(runId)).toMatchObject({
      kind: 'reconcile',
      status: 'succeeded',
      counts: { planned: 6, applied: 6 },
    });
    expect(
      w.audit.filter((r) => r.type === 'action').every((r) => r.cause?.id === runId && r.runId === runId),
    ).toBe(true);
    expect(w.audit.find((r) => r.type === 'run')).toMatchObject({ status: 'succeeded', runId });
    expect(await w.app.stores.groupSizes.getMany([ENGINEERING])).toEqual(
      new Map([[ENGINEERING, expect.objectContaining({ members: 2 })]]),
    );
  });

  it('stores the plan of a dry run and writes nothing', async () => {
    const w = world();
    const result = await handle(w, { kind: 'reconcile', dryRun: true, runId: '20261126T090000000Z-abcdef' });

    expect(result).toMatchObject({ status: 'done', runId: '20261126T090000000Z-abcdef' });
    const run = w.runs.get('20261126T090000000Z-abcdef');
    expect(run).toMatchObject({ dryRun: true, counts: { planned: 6 } });
    expect((run?.plan as { actions?: unknown[] } | undefined)?.actions).toHaveLength(6);
    expect(w.git.allTeams()).toEqual([]);
    expect(w.audit.filter((r) => r.type === 'action')).toEqual([]);
  });

  it('marks the run failed and retries the message when a read fails', async () => {
    const w = world();
    w.git.listUsers = async () => {
      throw Object.assign(new Error('Gogs is down'), { retryable: true });
    };
    const result = await handle(w, { kind: 'reassert' });
    expect(result).toMatchObject({ status: 'retried' });
    const [copy] = w.queue.take();
    const runId = copy?.message.kind === 'reassert' ? copy.message.runId : undefined;
    expect(w.runs.get(runId ?? '')).toMatchObject({
      kind: 'reassert',
      status: 'failed',
      error: 'Gogs is down',
    });
  });
});

describe('catch-up', () => {
  it('starts from latest without a cursor and asks for a reconcile', async () => {
    const w = world();
    await handle(w, { kind: 'catchUp' });
    expect(w.graph.starts).toEqual([
      { kind: 'user', start: { from: 'latest' } },
      { kind: 'group', start: { from: 'latest' } },
    ]);
    expect(w.queue.take().map((s) => s.message.kind)).toEqual(['reconcile']);
    expect(w.cursors.get('users')?.deltaLink).toBe('user-link');
  });

  it('enqueues each change like a notification and moves the cursors', async () => {
    const w = world();
    await w.app.stores.cursors.put('users', 'u0', 1);
    await w.app.stores.cursors.put('groups', 'g0', 1);
    w.graph.rounds.user = [
      {
        expired: false,
        pages: 1,
        deltaLink: 'u1',
        changes: [{ kind: 'user', id: w.adele.id, removed: 'deleted', members: [] }],
      },
    ];
    w.graph.rounds.group = [
      {
        expired: false,
        pages: 1,
        deltaLink: 'g1',
        changes: [{ kind: 'group', id: CONTRACTORS, members: [{ id: w.alex.id, removed: true }] }],
      },
    ];

    await handle(w, { kind: 'catchUp' });

    expect(w.queue.take().map((s) => s.message)).toEqual([
      expect.objectContaining({ kind: 'user', objectId: w.adele.id, source: 'catchUp', removed: 'deleted' }),
      expect.objectContaining({
        kind: 'group',
        objectId: CONTRACTORS,
        membersDelta: [{ id: w.alex.id, removed: true }],
      }),
    ]);
    expect([w.cursors.get('users')?.deltaLink, w.cursors.get('groups')?.deltaLink]).toEqual(['u1', 'g1']);
    expect(w.settings.values.get('lastCatchUp')?.value).toMatchObject({ at: w.clock.now() });
  });

  it('restarts an expired cursor from latest and asks for a reconcile', async () => {
    const w = world();
    await w.app.stores.cursors.put('users', 'u0', 1);
    await w.app.stores.cursors.put('groups', 'g0', 1);
    w.graph.rounds.user = [{ expired: true, code: 'syncStateNotFound', message: 'gone' }];

    await handle(w, { kind: 'catchUp' });

    expect(w.graph.starts.slice(0, 2)).toEqual([
      { kind: 'user', start: { deltaLink: 'u0' } },
      { kind: 'user', start: { from: 'latest' } },
    ]);
    expect(w.queue.take().map((s) => s.message)).toEqual([
      expect.objectContaining({ kind: 'reconcile', reason: expect.stringMatching(/expired/) }),
    ]);
  });
});

describe('subscriptions and lifecycle events', () => {
  it('audits each subscription outcome and catches up after a take-over', async () => {
    const w = world();
    w.graph.subscriptionOutcomes = [
      { resource: '/users', id: 's1', expirationDateTime: '2026-12-01T00:00:00Z', outcome: 'renewed' },
      {
        resource: '/groups',
        id: 's2',
        expirationDateTime: '2026-12-01T00:00:00Z',
        outcome: 'takenOver',
        replacedId: 'x',
      },
    ];

    const result = await handle(w, { kind: 'renew' });

    expect(result).toMatchObject({ counts: { renewed: 1, takenOver: 1 } });
    expect(w.namedLeases).toEqual([RENEW_LEASE]);
    expect(w.audit.map((r) => r.kind)).toEqual(['subscriptionRenewed', 'subscriptionTakenOver']);
    expect(w.queue.take().map((s) => s.message.kind)).toEqual(['catchUp']);
  });

  it('only renews on reauthorizationRequired; renews and catches up on anything else', async () => {
    const w = world();
    await handle(w, { kind: 'lifecycle', subscriptionId: 's1', lifecycleEvent: 'reauthorizationRequired' });
    expect(w.queue.take().map((s) => s.message.kind)).toEqual(['renew']);
    await handle(w, { kind: 'lifecycle', subscriptionId: 's1', lifecycleEvent: 'subscriptionRemoved' });
    expect(w.queue.take().map((s) => s.message.kind)).toEqual(['renew', 'catchUp']);
  });
});
