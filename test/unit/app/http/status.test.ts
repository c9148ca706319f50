import { describe, expect, it } from 'vitest';
import { buildStatus, type StatusDeps } from '../../../../src/app/http/status.js';
import type { WatchdogFinding } from '../../../../src/app/http/watchdog.js';
import type { IdentityRecord } from '../../../../src/domain/types.js';
import type { AuditEntry, HeldRecord, RunRecord } from '../../../../src/state/index.js';

// biome-ignore lint/suspicious/noExplicitAny: the status body is arbitrary JSON read by path
type Json = any;

const NOW = Date.parse('2026-11-26T04:00:00Z');
const HOUR = 3_600_000;
const LEFT = '6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7';

function someStatusDeps(overrides: Partial<StatusDeps> = {}) {
  const triggered: WatchdogFinding[][] = [];
  const run = (kind: string, at: number): RunRecord => ({
    id: `20261126T000000000Z-${kind.length}aaaaa`,
    kind,
    startedAt: at - 60_000,
    finishedAt: at,
    status: 'succeeded',
    counts: { applied: 1 },
    dryRun: false,
  });
  const identities: IdentityRecord[] = [
    { objectId: 'a', username: 'amy', status: 'active', written: {} },
    { objectId: LEFT, username: 'left', status: 'suspended', written: { active: false } },
  ];
  const residual: AuditEntry = {
    id: 'x',
    type: 'action',
    kind: 'suspendUser',
    status: 'applied',
    appliedAt: NOW - HOUR,
    objectId: LEFT,
    username: 'left',
    residual: {
      accessTokens: 'possible',
      orgMemberships: [{ org: 'acme', certainty: 'known' }],
      publicRepos: ['left/site'],
      privateRepos: 'unknown',
      collaborations: 'unknown',
      unmanagedTeams: [
        { org: 'acme', team: 'ops', removed: false },
        { org: 'acme', team: 'old', removed: true },
      ],
    },
  };
  const deps: StatusDeps = {
    now: NOW,
    reconcileGapMs: 24 * HOUR,
    catchUpGapMs: 10 * 60_000,
    budget: { limit: (users) => Math.max(25, users), windowMs: HOUR, used: async () => 3 },
    subscriptions: async () => [
      {
        id: 's-users',
        resource: '/users',
        changeType: 'updated,deleted',
        expiresAt: NOW + 2 * 24 * HOUR,
        notificationUrl: 'n',
        lifecycleNotificationUrl: 'l',
        clientStateVersion: 'current',
        createdAt: NOW - HOUR,
      },
    ],
    latestRun: async (kind) => run(kind, kind === 'catchUp' ? NOW - 5 * 60_000 : NOW - HOUR),
    depth: async () => ({ changes: 4, poison: 1 }),
    held: async () => [],
    pause: async () => ({ paused: false }),
    failures: async () => [{ id: 'f1', kind: 'deleteUser', message: 'Gogs 422', at: NOW - HOUR }],
    identities: async () => identities,
    residualRecords: async () => [residual],
    webhook: async () => ({ counts: { 'notifications.alarm.wrongClientState': 2 }, updatedAt: NOW }),
    reconcileLease: async () => undefined,
    trigger: async (findings) => {
      triggered.push([...findings]);
      return [...new Set(findings.map((f) => f.job))].map((job) => ({
        job,
        enqueued: true,
        lastTriggeredAt: NOW,
      }));
    },
    ...overrides,
  };
  return { deps, triggered };
}

describe('buildStatus', () => {
  it('reports every section and triggers the watchdog for what is wrong', async () => {
    const { deps, triggered } = someStatusDeps();

    const result = await buildStatus(deps);

    expect(result.status).toBe(200);
    const body = result.json as Json;
    expect(body.subscriptions).toEqual([expect.objectContaining({ id: 's-users', expiresInHours: 48 })]);
    expect(body.runs.reconcile.lastSucceeded).toMatchObject({ status: 'succeeded', ageMinutes: 60 });
    expect(body.queue).toEqual({ changes: 4, poison: 1 });
    expect(body.guard).toEqual({
      state: 'ok',
      budget: { used: 3, limit: 25, windowMs: HOUR, managedUsers: 1 },
      held: 0,
      oldestHeldAt: null,
    });
    expect(body.failures).toMatchObject({ count: 1 });
    expect(body.residualAccess).toEqual({
      suspendedUsers: 1,
      deletedUsers: 0,
      usersWithPossibleTokens: 1,
      recent: [
        expect.objectContaining({
          objectId: LEFT,
          orgMemberships: [{ org: 'acme', certainty: 'known' }],
          publicRepos: ['left/site'],
          unmanagedTeams: [{ org: 'acme', team: 'ops', removed: false }],
        }),
      ],
    });
    expect(body.webhook.counts['notifications.alarm.wrongClientState']).toBe(2);
    expect(body.watchdog.healthy).toBe(false);
    expect(triggered[0]?.map((f) => f.problem)).toEqual([
      'the /users subscription expires in 48 h',
      'no subscription for /groups',
    ]);
    expect(body.errors).toEqual([]);
  });

  it('says guard: tripped with held actions or a spent budget', async () => {
    const held: HeldRecord = {
      id: 'h1',
      action: { kind: 'suspendUser' } as HeldRecord['action'],
      heldAt: NOW - HOUR,
      because: 'budget',
      cause: 'run',
      status: 'held',
    };
    const withHeld = await buildStatus(someStatusDeps({ held: async () => [held] }).deps);
    expect((withHeld.json as Json).guard).toMatchObject({ state: 'tripped', held: 1 });
    const spent = await buildStatus(
      someStatusDeps({ budget: { limit: () => 25, windowMs: HOUR, used: async () => 25 } }).deps,
    );
    expect((spent.json as Json).guard.state).toBe('tripped');
  });

  it('reports a failing section under errors and still answers the rest', async () => {
    const { deps } = someStatusDeps({
      depth: async () => {
        throw new Error('reading the depth of graph-changes failed (500)');
      },
    });
    const body = (await buildStatus(deps)).json as Json;
    expect(body.queue).toBeNull();
    expect(body.errors).toEqual([
      { section: 'queue', message: 'reading the depth of graph-changes failed (500)' },
    ]);
    expect(body.guard.state).toBe('ok');
  });
});
