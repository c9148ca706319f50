import { describe, expect, it } from 'vitest';
import { errorResult } from '../../../../src/app/http/adminEndpoint.js';
import { listIdentities } from '../../../../src/app/http/identitiesList.js';
import { setPaused } from '../../../../src/app/http/pauseSwitch.js';
import {
  actOnPoison,
  actOnPoisonBody,
  listPoison,
  type PoisonDeps,
} from '../../../../src/app/http/poisonAdmin.js';
import type { QueuedRun } from '../../../../src/app/http/queuedRuns.js';
import { requestReconcile } from '../../../../src/app/http/reconcileRequest.js';
import { listRuns, lookupRun } from '../../../../src/app/http/runLookup.js';
import { lookupSsoUsername } from '../../../../src/app/http/ssoUsername.js';
import { requestSubscriptions } from '../../../../src/app/http/subscriptionRequests.js';
import { requestUserSync } from '../../../../src/app/http/userSyncRequest.js';
import { ConfigError } from '../../../../src/config/index.js';
import type { IdentityRecord } from '../../../../src/domain/types.js';
import type { AuditRecord, ChangeMessageInput, PauseState } from '../../../../src/state/index.js';
import { HeldActionError, StateStoreError } from '../../../../src/state/index.js';

const NOW = Date.parse('2026-11-26T04:00:00Z');
const USER = '5d1f3a2b-4c6e-4d8f-a1b3-c5e7f9a2b4d6';
const RUN_ID = '20261126T040000000Z-abc123';

function runDeps(options: { failEnqueue?: boolean } = {}) {
  const queued: QueuedRun[] = [];
  const failed: string[] = [];
  const sent: ChangeMessageInput[] = [];
  return {
    queued,
    failed,
    sent,
    deps: {
      runs: {
        newId: () => RUN_ID,
        queue: async (run: QueuedRun) => {
          queued.push(run);
        },
        fail: async (id: string) => {
          failed.push(id);
        },
      },
      enqueue: async (message: ChangeMessageInput) => {
        if (options.failEnqueue)
          throw new StateStoreError('enqueueing a change failed (503)', { retryable: true });
        sent.push(message);
        return { messageId: 'm1' };
      },
      now: NOW,
      by: 'entra:op',
    },
  };
}

describe('POST /api/reconcile', () => {
  it('queues a run and one reconcile message carrying its id, 202', async () => {
    const { deps, queued, sent } = runDeps();
    const result = await requestReconcile('{"dryRun": true}', deps);
    expect(result.status).toBe(202);
    expect(result.json).toEqual({ runId: RUN_ID, kind: 'reconcile', status: 'queued', dryRun: true });
    expect(result.headers?.location).toBe(`/api/runs/${RUN_ID}`);
    expect(queued).toEqual([
      { id: RUN_ID, kind: 'reconcile', at: NOW, dryRun: true, requestedBy: 'entra:op' },
    ]);
    expect(sent).toEqual([
      expect.objectContaining({
        kind: 'reconcile',
        runId: RUN_ID,
        dryRun: true,
        requestedBy: 'entra:op',
        receivedAt: NOW,
      }),
    ]);
  });

  it('takes an empty body, refuses unknown fields, and marks the run failed when the enqueue fails', async () => {
    expect((await requestReconcile('', runDeps().deps)).status).toBe(202);
    const bad = await requestReconcile('{"dryrun": true}', runDeps().deps);
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: 'badRequest' });
    expect((await requestReconcile('{', runDeps().deps)).status).toBe(400);
    expect((await requestReconcile(`{"pad":"${'x'.repeat(70_000)}"}`, runDeps().deps)).status).toBe(413);
    const failing = runDeps({ failEnqueue: true });
    const result = await requestReconcile('{}', failing.deps);
    expect(result.status).toBe(503);
    expect(failing.failed).toEqual([RUN_ID]);
  });
});

describe('POST /api/subscriptions/ensure|rotate', () => {
  it('queues a renew with the mode and the run id as cause', async () => {
    const { deps, sent } = runDeps();
    const result = await requestSubscriptions('rotate', { ...deps, previousClientStateSet: false });
    expect(result.status).toBe(202);
    expect(result.json).toMatchObject({
      runId: RUN_ID,
      kind: 'renew',
      mode: 'rotate',
      warning: expect.any(String),
    });
    expect(sent[0]).toMatchObject({ kind: 'renew', mode: 'rotate', causeId: RUN_ID });
    const ensure = await requestSubscriptions('ensure', { ...deps, previousClientStateSet: false });
    expect(ensure.json).not.toHaveProperty('warning');
    expect((await requestSubscriptions('delete', { ...deps, previousClientStateSet: true })).status).toBe(
      404,
    );
  });
});

describe('POST /api/users/{objectId}/sync', () => {
  it('enqueues one operator user message, 202', async () => {
    const sent: ChangeMessageInput[] = [];
    const deps = {
      newId: () => RUN_ID,
      enqueue: async (m: ChangeMessageInput) => {
        sent.push(m);
        return { messageId: 'm9' };
      },
      now: NOW,
      by: 'functionKey',
    };
    const result = await requestUserSync(USER.toUpperCase(), deps);
    expect(result.status).toBe(202);
    expect(result.json).toMatchObject({ objectId: USER, messageId: 'm9', causeId: `operator-${RUN_ID}` });
    expect(sent).toEqual([
      { kind: 'user', objectId: USER, source: 'operator', causeId: `operator-${RUN_ID}`, receivedAt: NOW },
    ]);
    expect((await requestUserSync('jsmith', deps)).status).toBe(400);
  });
});

describe('GET /api/runs', () => {
  const run = {
    id: RUN_ID,
    kind: 'reconcile',
    startedAt: NOW,
    status: 'running' as const,
    counts: {},
    dryRun: true,
    plan: { actions: [] },
  };
  const deps = {
    get: async (id: string) => (id === RUN_ID ? run : undefined),
    list: async () => [run],
    now: NOW,
  };

  it('answers one run with its plan, 404 unknown, 400 malformed', async () => {
    expect(await lookupRun(RUN_ID, deps)).toEqual({ status: 200, json: run });
    expect((await lookupRun('20261126T040000000Z-ffffff', deps)).status).toBe(404);
    expect((await lookupRun('../etc', deps)).status).toBe(400);
  });

  it('lists recent runs without plans', async () => {
    const result = await listRuns(new URLSearchParams('kind=reconcile'), deps);
    expect(result.json).toEqual({ runs: [{ ...run, plan: undefined }].map(({ plan: _p, ...r }) => r) });
    expect((await listRuns(new URLSearchParams('days=40'), deps)).status).toBe(400);
  });
});

describe('GET /api/sso/username', () => {
  const identities: Record<string, IdentityRecord> = {
    [USER]: { objectId: USER, username: 'jsmith', status: 'active', written: {} },
    '6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7': {
      objectId: '6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7',
      username: 'left',
      status: 'suspended',
      written: {},
    },
    '7e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7': {
      objectId: '7e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7',
      username: 'soon',
      status: 'active',
      written: {},
      pending: 'reserved',
    },
  };
  const get = async (oid: string) => identities[oid];
  const ask = (oid: string, accept: string | null = null) =>
    lookupSsoUsername(new URLSearchParams({ oid }), accept, get);

  it('answers the username of an active identity, as JSON or plain text', async () => {
    // nginx's auth_request reads headers only: the name also comes as X-Gogs-Username (docs/sso.md).
    expect(await ask(USER.toUpperCase())).toEqual({
      status: 200,
      json: { username: 'jsmith' },
      headers: { 'x-gogs-username': 'jsmith' },
    });
    expect(await ask(USER, 'text/plain')).toMatchObject({
      status: 200,
      text: 'jsmith',
      headers: { 'x-gogs-username': 'jsmith' },
    });
    expect((await ask(USER, 'application/json, text/plain')).json).toEqual({ username: 'jsmith' });
    expect((await ask(USER, '*/*')).json).toEqual({ username: 'jsmith' });
  });

  it('refuses (403, what auth_request denies on) unknown, suspended and merely reserved identities', async () => {
    expect((await ask('8e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7')).status).toBe(403);
    expect((await ask('6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7')).status).toBe(403);
    expect((await ask('7e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7')).status).toBe(403);
    expect((await ask('jsmith')).status).toBe(400);
  });
});

describe('poison', () => {
  function poisonDeps() {
    const audit: AuditRecord[] = [];
    let purged = false;
    const deps: PoisonDeps = {
      list: async () => [
        {
          messageId: 'p1',
          dequeueCount: 0,
          text: '{}',
          insertedOn: new Date(NOW),
          message: { kind: 'catchUp', attempt: 0, receivedAt: NOW },
        },
        { messageId: 'p2', dequeueCount: 0, text: 'garbage', problem: 'message: is not JSON' },
      ],
      redrive: async (ids) => ({
        redriven: (ids ?? ['p1']).filter((id) => id === 'p1'),
        invalid: ['p2'].filter((id) => !ids || ids.includes(id)),
      }),
      purge: async () => {
        purged = true;
      },
      depth: async () => ({ changes: 0, poison: 2 }),
      audit: async (records) => {
        audit.push(...records);
      },
      now: NOW,
      by: 'functionKey',
    };
    return { deps, audit, purged: () => purged };
  }

  it('lists with depth, problem text for what does not parse', async () => {
    const { deps } = poisonDeps();
    const result = await listPoison(new URLSearchParams(), deps);
    expect(result.json).toMatchObject({
      depth: 2,
      messages: [
        { messageId: 'p1', message: { kind: 'catchUp' } },
        { messageId: 'p2', problem: 'message: is not JSON', text: 'garbage' },
      ],
    });
    expect((await listPoison(new URLSearchParams('limit=33'), deps)).status).toBe(400);
  });

  it('retries (all or some), purges, audits both, 404 for other actions', async () => {
    const { deps, audit, purged } = poisonDeps();
    expect((await actOnPoison('retry', '{"ids":["p1","p9"]}', deps)).json).toEqual({
      redriven: ['p1'],
      invalid: [],
      notFound: ['p9'],
    });
    expect((await actOnPoisonBody('{"action":"retry"}', deps)).json).toEqual({
      redriven: ['p1'],
      invalid: ['p2'],
      notFound: [],
    });
    expect((await actOnPoisonBody('{"action":"purge"}', deps)).json).toEqual({ purged: 2 });
    expect(purged()).toBe(true);
    expect(audit.map((r) => r.kind)).toEqual(['poisonRetried', 'poisonRetried', 'poisonPurged']);
    expect((await actOnPoison('drop', '', deps)).status).toBe(404);
    expect((await actOnPoison('retry', '{"ids":"p1"}', deps)).status).toBe(400);
  });
});

describe('pause and resume', () => {
  it('switches, audits and answers the new state', async () => {
    let state: PauseState = { paused: false };
    const audit: AuditRecord[] = [];
    const deps = {
      pause: async (by: string, at: number, reason?: string) => {
        state = { paused: true, by, at, ...(reason ? { reason } : {}) };
      },
      resume: async (by: string, at: number) => {
        state = { paused: false, by, at };
      },
      pauseState: async () => state,
      audit: async (records: AuditRecord[]) => {
        audit.push(...records);
      },
      now: NOW,
      by: 'entra:op',
    };
    expect((await setPaused(true, '{"reason":"Gogs upgrade"}', deps)).json).toEqual({
      paused: true,
      by: 'entra:op',
      at: NOW,
      reason: 'Gogs upgrade',
    });
    expect((await setPaused(false, '', deps)).json).toEqual({ paused: false, by: 'entra:op', at: NOW });
    expect(audit.map((r) => [r.kind, r.actor])).toEqual([
      ['paused', 'entra:op'],
      ['resumed', 'entra:op'],
    ]);
    expect((await setPaused(true, '{"reason": 5}', deps)).status).toBe(400);
  });
});

describe('identities and errors', () => {
  it('lists identities by status', () => {
    const rows: IdentityRecord[] = [
      { objectId: 'b', username: 'zed', status: 'active', written: { admin: false } },
      { objectId: 'a', username: 'amy', status: 'suspended', written: {} },
    ];
    expect(listIdentities(new URLSearchParams(), rows).json).toMatchObject({
      count: 2,
      identities: [{ username: 'amy' }, { username: 'zed' }],
    });
    expect(listIdentities(new URLSearchParams('status=active'), rows).json).toMatchObject({ count: 1 });
    expect(listIdentities(new URLSearchParams('status=gone'), rows).status).toBe(400);
  });

  it('maps thrown errors by flag and class, never with a stack', () => {
    const logged: unknown[] = [];
    const context = { invocationId: 'inv-1', error: (...args: unknown[]) => logged.push(args) };
    expect(
      errorResult(new StateStoreError('reading x failed (503)', { retryable: true }), context),
    ).toMatchObject({
      status: 503,
      headers: { 'retry-after': '5' },
    });
    expect(errorResult(new HeldActionError('held action x was already approved'), context).status).toBe(409);
    const config = errorResult(
      new ConfigError([{ key: 'GOGS_TOKEN', path: 'GOGS_TOKEN', message: 'is required' }]),
      context,
    );
    expect(config).toMatchObject({ status: 500, json: { error: 'configError' } });
    expect(errorResult(new Error('boom'), context)).toMatchObject({
      status: 500,
      json: { error: 'internal', message: 'unexpected Error; see the function log for invocation inv-1' },
    });
  });
});
