import { describe, expect, it } from 'vitest';
import {
  GOGS_FAILING_SINCE,
  GOGS_OUTAGE_MS,
  handleMessage,
  PAUSED_DELAY_MS,
} from '../../../../src/app/worker/index.js';
import { userKey } from '../../../../src/domain/types.js';
import { GogsApiError } from '../../../../src/gogs/gogsApiError.js';
import type { ChangeMessageInput } from '../../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

const ENGINEERING = anObjectId(1001);
const ADMINS = anObjectId(1002);

function world() {
  const w = fakeWorld(
    aPolicy({
      siteAdminGroup: ADMINS,
      mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }],
    }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  w.directory.users.set(adele.id, adele);
  w.directory.groups.set(ENGINEERING, new Set([adele.id]));
  w.directory.groups.set(ADMINS, new Set());
  return { ...w, adele };
}

type Input = Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] };

const handle = (w: ReturnType<typeof world>, input: Input, meta = { messageId: 'msg-1', dequeueCount: 1 }) =>
  handleMessage(w.app, { receivedAt: w.clock.now(), ...input }, meta);

describe('handleMessage: users', () => {
  it('skips a notification for an unknown user without reading the directory (scope mappedGroups)', async () => {
    const w = world();

    const result = await handle(w, { kind: 'user', objectId: w.adele.id });

    expect(result).toMatchObject({ status: 'skipped', kind: 'user' });
    expect(w.directory.reads).toBe(0);
    expect(w.queue.sent).toEqual([]);
  });

  it('reads an unknown user on an operator sync, applies, audits with the cause and schedules one re-check', async () => {
    const w = world();

    const result = await handle(w, {
      kind: 'user',
      objectId: w.adele.id,
      source: 'operator',
      eventTime: w.clock.now() - 5,
    });

    expect(result).toMatchObject({ status: 'done', counts: { applied: 4 } });
    expect(w.git.teamMembers('acme', 'engineering')).toEqual([w.adele.mailNickname]);
    expect(w.audit.map((r) => r.kind).sort()).toEqual([
      'addTeamMember',
      'createOrg',
      'createTeam',
      'createUser',
    ]);
    expect(w.audit.every((r) => r.cause?.type === 'operator' && r.cause.id === 'msg-1')).toBe(true);
    expect(w.audit[0]).toMatchObject({ latencyMs: 0, eventLatencyMs: 5 });
    expect(w.queue.take()).toEqual([
      {
        message: expect.objectContaining({
          kind: 'user',
          objectId: w.adele.id,
          source: 'recheck',
          causeId: 'msg-1',
        }),
        delayMs: 60_000,
      },
    ]);
  });

  it('schedules no re-check for a re-check', async () => {
    const w = world();
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    expect(w.queue.sent).toEqual([]);
  });

  it('skips a first delivery whose user was handled after it arrived, but never a retry', async () => {
    const w = world();
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });
    w.queue.take();
    const receivedAt = w.clock.now() - 1_000;

    const first = await handle(w, { kind: 'user', objectId: w.adele.id, receivedAt });
    const retry = await handle(w, { kind: 'user', objectId: w.adele.id, receivedAt, attempt: 1 });
    const redelivered = await handle(
      w,
      { kind: 'user', objectId: w.adele.id, receivedAt },
      { messageId: 'm', dequeueCount: 2 },
    );

    expect(first).toMatchObject({ status: 'skipped' });
    expect(retry).toMatchObject({ status: 'done' });
    expect(redelivered).toMatchObject({ status: 'done' });
  });

  it('confirms a hard delete only from a deleted change or a delta removal', async () => {
    const w = world();
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });
    w.directory.users.delete(w.adele.id);
    w.directory.groups.set(ENGINEERING, new Set());
    const seen: unknown[] = [];
    const readUser = w.app.directory.readUser.bind(w.app.directory);
    w.app.directory.readUser = async (id: string, options?: unknown) => {
      seen.push(options);
      return readUser(id);
    };

    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck', changeType: 'deleted' });
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck', removed: 'deleted' });

    expect(seen).toEqual([
      { confirmedHardDelete: false },
      { confirmedHardDelete: true },
      { confirmedHardDelete: true },
    ]);
  });

  it('plans but writes nothing under DRY_RUN, auditing the plan as a dry run', async () => {
    const w = world();
    w.config.dryRun = true;

    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });

    expect(w.git.hasUser(w.adele.mailNickname ?? '')).toBe(false);
    expect(w.audit.length).toBeGreaterThan(0);
    expect(w.audit.every((r) => r.dryRun === true && r.status === 'skipped')).toBe(true);
  });
});

describe('handleMessage: failures become values', () => {
  const failingGogs = (w: ReturnType<typeof world>, error: Error) => {
    w.git.listUsers = async () => {
      throw error;
    };
  };

  it('retries a retryable failure as a copy with attempt + 1, the backoff delay and the first cause id', async () => {
    const w = world();
    failingGogs(w, new GogsApiError(503, 'GET /users/search', ''));

    const result = await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator', attempt: 2 });

    expect(result).toMatchObject({ status: 'retried', attempt: 3, delayMs: 4_000 });
    expect(w.queue.take()).toEqual([
      {
        message: expect.objectContaining({ attempt: 3, causeId: 'msg-1', source: 'operator' }),
        delayMs: 4_000,
      },
    ]);
    expect(w.settings.values.get(GOGS_FAILING_SINCE)?.value).toEqual({ since: w.clock.now() });
  });

  it('poisons a message past RETRY_HORIZON, counting from a re-drive when there was one', async () => {
    const w = world();
    failingGogs(w, new GogsApiError(503, 'GET /users/search', ''));
    const old = w.clock.now() - 2 * 3_600_000;

    const poisoned = await handle(w, {
      kind: 'user',
      objectId: w.adele.id,
      source: 'operator',
      receivedAt: old,
    });
    const redriven = await handle(w, {
      kind: 'user',
      objectId: w.adele.id,
      source: 'operator',
      receivedAt: old,
      redrivenAt: w.clock.now(),
    });

    expect(poisoned).toMatchObject({ status: 'poisoned' });
    expect(w.queue.poisoned).toHaveLength(1);
    expect(w.audit).toContainEqual(expect.objectContaining({ type: 'event', kind: 'messagePoisoned' }));
    expect(redriven).toMatchObject({ status: 'retried', attempt: 1 });
  });

  it('drops a permanent failure, recording it in failures and the audit', async () => {
    const w = world();
    failingGogs(w, new GogsApiError(401, 'GET /users/search', 'bad token'));

    const result = await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });

    expect(result).toMatchObject({ status: 'dropped' });
    expect([...w.failures.keys()]).toEqual([`message:user:${w.adele.id}`]);
    expect(w.audit).toContainEqual(expect.objectContaining({ kind: 'messageDropped', objectId: w.adele.id }));
    expect(w.queue.sent).toEqual([]);
  });

  it('retries when applied actions failed retryably, and records permanent action failures until they pass', async () => {
    const w = world();
    const create = w.git.createUser.bind(w.git);
    w.git.createUser = async () => {
      throw new GogsApiError(422, 'POST /admin/users', 'email already used');
    };
    const first = await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });
    expect(first).toMatchObject({ status: 'done', counts: { failed: 1 } });
    expect([...w.failures.keys()]).toEqual([`createUser:${w.adele.id}`]);

    w.git.createUser = async () => {
      throw new GogsApiError(502, 'POST /admin/users', '');
    };
    const second = await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });
    expect(second).toMatchObject({ status: 'retried', attempt: 1 });

    w.git.createUser = create;
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'operator' });
    expect(w.failures.size).toBe(0);
  });

  it('drops a message that does not parse', async () => {
    const w = world();
    const result = await handleMessage(w.app, '{"kind":"user"', { messageId: 'bad', dequeueCount: 1 });
    expect(result).toMatchObject({ status: 'dropped' });
    expect(w.failures.get('message:bad')).toMatchObject({ kind: 'invalidMessage' });
  });
});

describe('handleMessage: pause and Gogs outages', () => {
  it('leaves sync work for later while paused, attempt unchanged, but renews subscriptions', async () => {
    const w = world();
    await w.settings.set('pause', { paused: true });

    const deferred = await handle(w, { kind: 'group', objectId: ENGINEERING, attempt: 3 });
    const renewed = await handle(w, { kind: 'renew' });

    expect(deferred).toMatchObject({ status: 'deferred', delayMs: PAUSED_DELAY_MS });
    expect(w.queue.take()).toEqual([
      {
        message: expect.objectContaining({ kind: 'group', attempt: 3, causeId: 'msg-1' }),
        delayMs: PAUSED_DELAY_MS,
      },
    ]);
    expect(renewed).toMatchObject({ status: 'done' });
    expect(w.git.allTeams()).toEqual([]);
  });

  it('enqueues one reconcile on the first success after Gogs failed for over five minutes', async () => {
    const w = world();
    await w.settings.set(GOGS_FAILING_SINCE, { since: w.clock.now() - GOGS_OUTAGE_MS - 1 });

    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });

    expect(w.queue.take().map((s) => s.message.kind)).toEqual(['reconcile']);
    expect(w.settings.values.get(GOGS_FAILING_SINCE)?.value).toBeNull();
  });

  it('enqueues no reconcile after a short failure', async () => {
    const w = world();
    await w.settings.set(GOGS_FAILING_SINCE, { since: w.clock.now() - 60_000 });
    await handle(w, { kind: 'user', objectId: w.adele.id, source: 'recheck' });
    expect(w.queue.sent).toEqual([]);
    expect(w.state.events.get(userKey(w.adele.id))).toBe(w.clock.now());
  });
});
