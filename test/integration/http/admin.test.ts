import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAudit } from '../../../functions/adminAudit.js';
import { adminHeld } from '../../../functions/adminHeld.js';
import { adminIdentities } from '../../../functions/adminIdentities.js';
import { adminPause } from '../../../functions/adminPause.js';
import { adminPoison } from '../../../functions/adminPoison.js';
import { adminReconcile } from '../../../functions/adminReconcile.js';
import { adminResume } from '../../../functions/adminResume.js';
import { adminRuns } from '../../../functions/adminRuns.js';
import { adminStatus } from '../../../functions/adminStatus.js';
import { adminSubscriptions } from '../../../functions/adminSubscriptions.js';
import { adminUsers } from '../../../functions/adminUsers.js';
import { ssoUsername } from '../../../functions/ssoUsername.js';
import type { App } from '../../../src/app/composition.js';
import { httpRuntime } from '../../../src/app/http/processRuntime.js';
import type { Action } from '../../../src/domain/actions.js';
import { call, drain, type HttpEnv, peekAll, startHttpEnv } from './httpFixture.js';

const ALICE = '5d1f3a2b-4c6e-4d8f-a1b3-c5e7f9a2b4d6';
const BOB = '6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7';
const CAROL = '7f3b5c4d-6e8a-4fab-83d5-e7a9b1c4d6f8';
const profile = (name: string) => ({
  email: `${name}@example.com`,
  fullName: name,
  sourceId: 0,
  loginName: '',
});

function aRemoval(objectId: string, username: string, snapshotAt: number): Action {
  return {
    kind: 'removeTeamMember',
    objectId,
    username,
    org: 'acme',
    team: 'engineering',
    reason: 'no longer in Engineering',
    snapshotAt,
    fence: [`user:${objectId}`],
  };
}

let env: HttpEnv;
let app: App;

beforeAll(async () => {
  env = await startHttpEnv({ gogs: true });
  app = await httpRuntime().app();
});

afterAll(async () => {
  await env?.stop();
});

describe('reconcile and runs', () => {
  it('answers 202 with a run id, queues the run and its message; the run answers at once', async () => {
    const response = await call(adminReconcile, {
      method: 'POST',
      path: 'reconcile',
      body: { dryRun: true },
    });

    expect(response.status).toBe(202);
    const { runId } = response.json;
    expect(response.json).toMatchObject({ kind: 'reconcile', status: 'queued', dryRun: true });
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({ kind: 'reconcile', runId, dryRun: true, requestedBy: 'functionKey' }),
    ]);
    const run = await call(adminRuns, { path: `runs/${runId}`, params: { id: runId } });
    expect(run.status).toBe(200);
    expect(run.json).toMatchObject({ id: runId, kind: 'reconcile', status: 'queued', dryRun: true });

    await app.stores.runs.start({ id: runId, kind: 'reconcile', startedAt: Date.now(), dryRun: true });
    await app.stores.runs.finish(runId, {
      status: 'succeeded',
      finishedAt: Date.now(),
      plan: { actions: ['createUser'] },
    });
    const done = await call(adminRuns, { path: `runs/${runId}`, params: { id: runId } });
    expect(done.json).toMatchObject({ status: 'succeeded', plan: { actions: ['createUser'] } });
    const list = await call(adminRuns, { path: 'runs', query: 'kind=reconcile' });
    expect(list.json.runs.map((r: { id: string }) => r.id)).toContain(runId);
    await drain(env.changes);
  });

  it('answers clear errors for a bad body, an unknown run and a malformed id', async () => {
    const bad = await call(adminReconcile, { method: 'POST', path: 'reconcile', body: { dryRun: 'yes' } });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: 'badRequest', message: expect.stringMatching(/^body\.dryRun: /) });
    const unknown = '20200101T000000000Z-000000';
    expect((await call(adminRuns, { path: `runs/${unknown}`, params: { id: unknown } })).status).toBe(404);
    expect((await call(adminRuns, { path: 'runs/x', params: { id: 'x' } })).json.error).toBe('badRequest');
  });
});

describe('subscriptions and one user', () => {
  it('queues ensure and rotate as renew runs, and lists ours', async () => {
    const ensure = await call(adminSubscriptions, {
      method: 'POST',
      path: 'subscriptions/ensure',
      params: { action: 'ensure' },
    });
    expect(ensure.status).toBe(202);
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({ kind: 'renew', mode: 'ensure', causeId: ensure.json.runId }),
    ]);
    const run = await call(adminRuns, {
      path: `runs/${ensure.json.runId}`,
      params: { id: ensure.json.runId },
    });
    expect(run.json).toMatchObject({ kind: 'renew', status: 'queued' });
    const unknown = await call(adminSubscriptions, {
      method: 'POST',
      path: 'subscriptions/drop',
      params: { action: 'drop' },
    });
    expect(unknown.status).toBe(404);
    const list = await call(adminSubscriptions, { path: 'subscriptions' });
    expect(list.json).toEqual({ subscriptions: [] });
    await drain(env.changes);
  });

  it('enqueues an operator sync of one user', async () => {
    const response = await call(adminUsers, {
      method: 'POST',
      path: `users/${ALICE}/sync`,
      params: { objectId: ALICE },
    });
    expect(response.status).toBe(202);
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({
        kind: 'user',
        objectId: ALICE,
        source: 'operator',
        causeId: response.json.causeId,
      }),
    ]);
    const bad = await call(adminUsers, {
      method: 'POST',
      path: 'users/alice/sync',
      params: { objectId: 'alice' },
    });
    expect(bad.status).toBe(400);
    await drain(env.changes);
  });
});

describe('held actions', () => {
  it('approves a held removal: applied in Gogs at once, audited', async () => {
    await app.gogs.createUser('carol', profile('carol'));
    await app.gogs.createOrg('acme');
    await app.gogs.createTeam('acme', 'engineering', 'write');
    await app.gogs.addTeamMember({ org: 'acme', team: 'engineering' }, 'carol');
    const action = aRemoval(CAROL, 'carol', Date.now() - 1_000);
    const id = `removeTeamMember:acme/engineering:${CAROL}`;
    await app.stores.sync.hold({ id, action, heldAt: Date.now(), because: 'budget', cause: 'run-1' });

    const listed = await call(adminHeld, { path: 'held' });
    expect(listed.json).toMatchObject({ count: 1, held: [{ id, status: 'held' }] });
    const encoded = id.replace('/', '%2F');
    const one = await call(adminHeld, { path: `held/${encoded}`, params: { id: encoded } });
    expect(one.json).toMatchObject({
      id,
      status: 'held',
      because: 'budget',
      action: { kind: 'removeTeamMember' },
    });
    const response = await call(adminHeld, {
      method: 'POST',
      path: 'held',
      body: { id, decision: 'approve', note: 'ok' },
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({
      held: { id, status: 'approved', decidedBy: 'functionKey' },
      outcome: { status: 'applied' },
    });
    const team = (await app.gogs.listTeams('acme'))?.find((t) => t.name === 'engineering');
    expect(await app.gogs.listTeamMembers(team?.id ?? -1)).not.toContain('carol');
    const audit = await call(adminAudit, { path: 'audit', query: `user=${CAROL}` });
    const records = audit.json.records.map((r: { kind: string; status: string }) => `${r.kind}:${r.status}`);
    expect(records.sort()).toEqual(['heldApproved:approved', 'removeTeamMember:applied']);
    const again = await call(adminHeld, { method: 'POST', path: 'held', body: { id, decision: 'reject' } });
    expect(again.status).toBe(409);
  });

  it('re-plans a stale held action instead of applying it', async () => {
    const action = aRemoval(BOB, 'bob', Date.now() - 60_000);
    const id = `removeTeamMember:acme/engineering:${BOB}`;
    await app.stores.sync.hold({ id, action, heldAt: Date.now(), because: 'suspectRead', cause: 'run-2' });
    await app.stores.sync.markEvent(`user:${BOB}`, Date.now());

    const response = await call(adminHeld, {
      method: 'POST',
      path: 'held',
      body: { id, decision: 'approve' },
    });

    expect(response.status).toBe(200);
    expect(response.json).toMatchObject({ held: { status: 'rejected' }, outcome: { status: 'superseded' } });
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({ kind: 'user', objectId: BOB, source: 'operator' }),
    ]);
    await drain(env.changes);
  });

  it('rejects through the path form, and refuses an approval while paused', async () => {
    const suspend: Action = {
      kind: 'suspendUser',
      objectId: ALICE,
      username: 'alice',
      profile: profile('alice'),
      alreadySuspended: false,
      reason: 'disabled',
      snapshotAt: Date.now(),
      fence: [`user:${ALICE}`],
    };
    const id = `suspendUser:${ALICE}`;
    await app.stores.sync.hold({
      id,
      action: suspend,
      heldAt: Date.now(),
      because: 'budget',
      cause: 'msg-1',
    });
    expect(
      (await call(adminPause, { method: 'POST', path: 'pause', body: { reason: 'maintenance' } })).status,
    ).toBe(200);

    const blocked = await call(adminHeld, {
      method: 'POST',
      path: `held/${id}/approve`,
      params: { id, decision: 'approve' },
    });
    expect(blocked.status).toBe(409);
    expect(blocked.json.message).toMatch(/paused/);
    const rejected = await call(adminHeld, {
      method: 'POST',
      path: `held/${id}/reject`,
      params: { id, decision: 'reject' },
      body: { note: 'not now' },
    });
    expect(rejected.json).toMatchObject({ held: { id, status: 'rejected', note: 'not now' } });
    expect(
      (await call(adminHeld, { method: 'POST', path: `held/${id}/maybe`, params: { id, decision: 'maybe' } }))
        .status,
    ).toBe(404);

    expect((await call(adminResume, { method: 'POST', path: 'resume' })).json).toMatchObject({
      paused: false,
    });
  });
});

describe('poison', () => {
  it('lists, retries one and purges the rest', async () => {
    const now = Date.now();
    await app.stores.queue.sendToPoison(
      { kind: 'catchUp', attempt: 3, receivedAt: now },
      'Graph 503 for 24 h',
      now,
    );
    await app.stores.queue.sendToPoison(
      { kind: 'user', objectId: ALICE, source: 'notification', attempt: 9, receivedAt: now },
      'Gogs down',
      now,
    );

    const listed = await call(adminPoison, { path: 'poison' });
    expect(listed.json.messages).toHaveLength(2);
    const first = listed.json.messages.find(
      (m: { message: { kind: string } }) => m.message.kind === 'catchUp',
    );
    const retried = await call(adminPoison, {
      method: 'POST',
      path: 'poison/retry',
      params: { action: 'retry' },
      body: { ids: [first.messageId] },
    });
    expect(retried.json).toEqual({ redriven: [first.messageId], invalid: [], notFound: [] });
    expect(await peekAll(env.changes)).toEqual([
      expect.objectContaining({ kind: 'catchUp', attempt: 0, redrivenAt: expect.any(Number) }),
    ]);

    const purged = await call(adminPoison, { method: 'POST', path: 'poison', body: { action: 'purge' } });
    expect(purged.status).toBe(200);
    expect(await peekAll(env.poison)).toEqual([]);
    await drain(env.changes);
  });
});

describe('pause, status, sso, identities, audit', () => {
  it('pauses and resumes, visible in status and the audit', async () => {
    const paused = await call(adminPause, {
      method: 'POST',
      path: 'pause',
      body: { reason: 'Gogs upgrade' },
    });
    expect(paused.json).toMatchObject({ paused: true, by: 'functionKey', reason: 'Gogs upgrade' });
    expect((await call(adminStatus, { path: 'status' })).json.paused).toMatchObject({ paused: true });
    await call(adminResume, { method: 'POST', path: 'resume' });
    expect((await call(adminStatus, { path: 'status' })).json.paused).toMatchObject({ paused: false });
    const audit = await call(adminAudit, { path: 'audit', query: 'since=1h&format=csv' });
    expect(audit.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(audit.text).toMatch(/,event,paused,done,/);
  });

  it('shows status with the watchdog, and enqueues its renew and catch-up once', async () => {
    await drain(env.changes);
    await app.stores.settings.set('watchdog', {}); // the status calls above already claimed it
    const first = await call(adminStatus, { path: 'status' });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({
      guard: { state: 'ok', held: 0 },
      queue: { poison: 0 },
      watchdog: { healthy: false },
      errors: [],
    });
    expect(first.json.watchdog.triggered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ job: 'renew', enqueued: true }),
        expect.objectContaining({ job: 'catchUp', enqueued: true }),
      ]),
    );
    const second = await call(adminStatus, { path: 'status' });
    expect(second.json.watchdog.triggered.every((t: { enqueued: boolean }) => !t.enqueued)).toBe(true);
    const kinds = (await peekAll(env.changes)).map((m) => m.kind).sort();
    // The first test left a succeeded reconcile, so only subscriptions and catch-up are stale.
    expect(kinds).toEqual(['catchUp', 'renew']);
    expect(first.json.runs.reconcile.lastSucceeded).toMatchObject({ status: 'succeeded' });
    await drain(env.changes);
  });

  it('answers the SSO username of active identities only', async () => {
    await app.stores.sync.putIdentity({
      objectId: ALICE,
      username: 'alice',
      status: 'active',
      written: { active: true },
    });
    await app.stores.sync.putIdentity({
      objectId: BOB,
      username: 'bob',
      status: 'suspended',
      written: { active: false },
    });

    const json = await call(ssoUsername, { path: 'sso/username', query: `oid=${ALICE.toUpperCase()}` });
    expect(json).toMatchObject({ status: 200, json: { username: 'alice' } });
    expect(json.headers.get('cache-control')).toBe('no-store');
    const text = await call(ssoUsername, {
      path: 'sso/username',
      query: `oid=${ALICE}`,
      headers: { accept: 'text/plain' },
    });
    expect(text).toMatchObject({ status: 200, text: 'alice' });
    expect((await call(ssoUsername, { path: 'sso/username', query: `oid=${BOB}` })).status).toBe(403);
    expect((await call(ssoUsername, { path: 'sso/username', query: `oid=${CAROL}` })).status).toBe(403);
    expect((await call(ssoUsername, { path: 'sso/username' })).status).toBe(400);

    const identities = await call(adminIdentities, { path: 'identities', query: 'status=active' });
    expect(identities.json).toMatchObject({ count: 1, identities: [{ username: 'alice' }] });
  });
});
