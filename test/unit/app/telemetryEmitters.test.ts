import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../src/app/http/notificationGate.js';
import { receiveLifecycle } from '../../../src/app/http/receiveLifecycle.js';
import { receive } from '../../../src/app/http/receiveNotifications.js';
import { buildStatus, type StatusDeps } from '../../../src/app/http/status.js';
import type { LogSink } from '../../../src/app/telemetry.js';
import { GOGS_FAILING_SINCE, GOGS_OUTAGE_MS, handleMessage } from '../../../src/app/worker/index.js';
import { GogsApiError } from '../../../src/gogs/gogsApiError.js';
import type { ChangeMessageInput } from '../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import {
  aLifecycleItem,
  aPost,
  aUserItem,
  NOW,
  OTHER_SUB,
  OUR_SUB,
  someDeps,
} from './http/notificationBuilders.js';
import { fakeWorld } from './worker/fakeWorkerApp.js';

class RecordingLog implements LogSink {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
  events(name: string): Record<string, unknown>[] {
    return this.lines
      .filter((line) => line.startsWith(`${name} `))
      .map((line) => JSON.parse(line.slice(name.length + 1)) as Record<string, unknown>);
  }
}

const ENGINEERING = anObjectId(3001);

function world() {
  const w = fakeWorld(
    aPolicy({ mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }] }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  const alex = aUser({ mailNickname: 'alex' });
  for (const u of [adele, alex]) w.directory.users.set(u.id, u);
  w.directory.groups.set(ENGINEERING, new Set([adele.id, alex.id]));
  const log = new RecordingLog();
  w.app.log = log;
  const depth = { changes: 7, poison: 2 };
  Object.assign(w.app.stores.queue, { depth: async () => depth });
  return { ...w, adele, alex, log };
}

type Input = Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] };
const handle = (w: ReturnType<typeof world>, input: Input) =>
  handleMessage(w.app, { receivedAt: w.clock.now(), ...input }, { messageId: 'msg-1', dequeueCount: 1 });

describe('the worker emits the alerts events', () => {
  it('catch-up: both queue depths and its completion', async () => {
    const w = world();

    const result = await handle(w, { kind: 'catchUp' });

    expect(w.log.events('sync.queueDepth')).toEqual([
      { queue: 'graph-changes', depth: 7 },
      { queue: 'graph-changes-poison', depth: 2 },
    ]);
    const runId = 'runId' in result ? result.runId : undefined;
    expect(w.log.events('sync.runCompleted')).toEqual([
      { kind: 'catchUp', runId, outcome: 'succeeded', durationMs: 0, actions: 0 },
    ]);
  });

  it('catch-up: a failed run completes as failed', async () => {
    const w = world();
    w.graph.readRound = async () => {
      throw new Error('Graph answered 500');
    };

    await handle(w, { kind: 'catchUp' });

    expect(w.log.events('sync.runCompleted')).toEqual([expect.objectContaining({ outcome: 'failed' })]);
  });

  it('reconcile and reassert: their completion with the number of actions', async () => {
    const w = world();

    await handle(w, { kind: 'reconcile' });
    await handle(w, { kind: 'reassert' });

    expect(w.log.events('sync.runCompleted')).toEqual([
      expect.objectContaining({ kind: 'reconcile', outcome: 'succeeded', actions: 6 }),
      expect.objectContaining({ kind: 'reassert', outcome: 'succeeded' }),
    ]);
  });

  it('renew: its completion and the state of both subscriptions', async () => {
    const w = world();
    w.graph.subscriptionOutcomes = [
      { resource: '/users', id: 's-users', expirationDateTime: '2026-12-20T10:00:00Z', outcome: 'renewed' },
      { resource: 'groups', id: 's-groups', expirationDateTime: '2026-12-21T10:00:00Z', outcome: 'created' },
    ];

    await handle(w, { kind: 'renew', mode: 'ensure', requestedBy: 'timer' });

    expect(w.log.events('sync.runCompleted')).toEqual([
      { kind: 'renew', runId: null, outcome: 'succeeded', durationMs: 0, actions: 2 },
    ]);
    expect(w.log.events('sync.subscriptionState')).toEqual([
      { resource: 'users', subscriptionId: 's-users', expiresAt: '2026-12-20T10:00:00.000Z' },
      { resource: 'groups', subscriptionId: 's-groups', expiresAt: '2026-12-21T10:00:00.000Z' },
    ]);
  });

  it('guard tripped: removals held for the spent budget, with the budget and its window', async () => {
    const w = world();
    await handle(w, { kind: 'group', objectId: ENGINEERING });
    w.app.policy.maxDeprovision = 0;
    w.app.policy.maxDeprovisionPercent = 0;
    w.directory.groups.get(ENGINEERING)?.delete(w.alex.id);
    w.clock.advance(1_000);

    await handle(w, { kind: 'group', objectId: ENGINEERING, source: 'recheck' });

    // The team removal, then the inline re-plan of the user that left scope (suspension).
    const held = {
      heldCount: 1,
      budget: 0,
      window: '1h',
      cause: 'event',
      reason: 'budget',
      objectId: w.alex.id,
    };
    expect(w.log.events('sync.guardTripped')).toEqual([held, held]);
  });

  it('Gogs unreachable after five minutes of failures, then at most every five minutes', async () => {
    const w = world();
    w.git.listUsers = async () => {
      throw new GogsApiError(503, 'GET /users/search', 'a body that never reaches the log');
    };
    const since = w.clock.now() - GOGS_OUTAGE_MS - 1_000;
    await w.settings.set(GOGS_FAILING_SINCE, { since });

    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    w.clock.advance(60_000);
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    w.clock.advance(GOGS_OUTAGE_MS);
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });

    expect(w.log.events('sync.gogsUnreachable')).toEqual([
      { since: new Date(since).toISOString(), failingForSeconds: 301, lastError: '503' },
      { since: new Date(since).toISOString(), failingForSeconds: 661, lastError: '503' },
    ]);
    expect(w.log.lines.join('\n')).not.toContain('a body that never');
  });

  it('Gogs recovered on the first success after an outage', async () => {
    const w = world();
    const since = w.clock.now() - GOGS_OUTAGE_MS - 1_000;
    await w.settings.set(GOGS_FAILING_SINCE, { since, reportedAt: w.clock.now() });

    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });

    expect(w.log.events('sync.gogsRecovered')).toEqual([
      { since: new Date(since).toISOString(), downForSeconds: 301 },
    ]);
  });

  it('catch-up probes Gogs, so an idle sync still reports it unreachable', async () => {
    const w = world();
    w.git.getAccount = async () => {
      throw new GogsApiError(0, 'GET /users/:username', '');
    };
    await w.settings.set(GOGS_FAILING_SINCE, { since: w.clock.now() - GOGS_OUTAGE_MS });

    const result = await handle(w, { kind: 'catchUp' });

    expect(result).toMatchObject({ status: 'done' });
    expect(w.log.events('sync.gogsUnreachable')).toEqual([expect.objectContaining({ lastError: '0' })]);
  });
});

describe('the webhook emits sync.notificationDropped once per reason', () => {
  it('counts clientState mismatches, naming the subscription when all named one', async () => {
    const log = new RecordingLog();
    const { deps } = someDeps({ log });
    const items = [
      aUserItem({ clientState: 'guess' }),
      aUserItem({ clientState: 'guess' }),
      aUserItem({ tenantId: 'ffffffff-0000-4000-8000-000000000000', subscriptionId: OTHER_SUB }),
      aUserItem(),
    ];

    await receive(aPost({ value: items }), deps);

    expect(log.events('sync.notificationDropped')).toEqual([
      {
        reason: 'clientStateMismatch',
        subscriptionId: OUR_SUB,
        ours: true,
        count: 2,
        channel: 'notifications',
      },
      { reason: 'wrongTenant', subscriptionId: OTHER_SUB, ours: false, count: 1, channel: 'notifications' },
    ]);
  });

  it('emits nothing when every item is admitted, and nothing when Graph will retry (503)', async () => {
    const log = new RecordingLog();
    await receive(aPost({ value: [aUserItem()] }), someDeps({ log }).deps);
    const failing = someDeps({
      log,
      enqueue: async () => {
        throw new Error('queue down');
      },
    });
    await receive(aPost({ value: [aUserItem(), aUserItem({ clientState: 'guess' })] }), failing.deps);
    expect(log.lines).toEqual([]);
  });

  it('counts a refused body as one dropped batch', async () => {
    const log = new RecordingLog();
    const { deps } = someDeps({ log });

    await receive({ query: new URLSearchParams(), bodyText: undefined, bodyBytes: MAX_BODY_BYTES + 1 }, deps);
    await receive(aPost('{"value": [oops'), deps);

    expect(log.events('sync.notificationDropped')).toEqual([
      { reason: 'tooLarge', subscriptionId: null, ours: false, count: 1, channel: 'notifications' },
      { reason: 'invalid', subscriptionId: null, ours: false, count: 1, channel: 'notifications' },
    ]);
  });

  it('covers lifecycle notifications too', async () => {
    const log = new RecordingLog();
    const { deps } = someDeps({ log });

    await receiveLifecycle(aPost({ value: [aLifecycleItem({ clientState: 'guess' })] }), deps);

    expect(log.events('sync.notificationDropped')).toEqual([
      { reason: 'clientStateMismatch', subscriptionId: OUR_SUB, ours: true, count: 1, channel: 'lifecycle' },
    ]);
  });
});

describe('GET /api/status emits the watchdog check events', () => {
  it('reports both queue depths and the newest subscription of each resource, or none', async () => {
    const log = new RecordingLog();
    const subscription = (id: string, expiresAt: number) => ({
      id,
      resource: '/users',
      changeType: 'updated,deleted',
      expiresAt,
      notificationUrl: 'n',
      lifecycleNotificationUrl: 'l',
      clientStateVersion: 'current' as const,
      createdAt: NOW,
    });
    const deps: StatusDeps = {
      now: NOW,
      reconcileGapMs: undefined,
      catchUpGapMs: undefined,
      budget: { limit: () => 25, windowMs: 3_600_000, used: async () => 0 },
      subscriptions: async () => [subscription('old', NOW + 1_000), subscription('new', NOW + 86_400_000)],
      latestRun: async () => undefined,
      depth: async () => ({ changes: 0, poison: 3 }),
      held: async () => [],
      pause: async () => ({ paused: false }),
      failures: async () => [],
      identities: async () => [],
      residualRecords: async () => [],
      webhook: async () => ({ counts: {}, updatedAt: NOW }),
      reconcileLease: async () => undefined,
      trigger: async () => [],
      log,
    };

    await buildStatus(deps);

    expect(log.events('sync.queueDepth')).toEqual([
      { queue: 'graph-changes', depth: 0 },
      { queue: 'graph-changes-poison', depth: 3 },
    ]);
    expect(log.events('sync.subscriptionState')).toEqual([
      { resource: 'users', subscriptionId: 'new', expiresAt: new Date(NOW + 86_400_000).toISOString() },
      { resource: 'groups', subscriptionId: null, expiresAt: null },
    ]);
  });
});
