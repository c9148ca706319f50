import { describe, expect, it } from 'vitest';
import {
  handleMessage,
  RUN_APPLY_BUDGET_MS,
  RUN_HARD_STOP_MS,
  RUN_MIN_APPLY_MS,
} from '../../../../src/app/worker/index.js';
import type { ChangeMessage, ChangeMessageInput } from '../../../../src/state/index.js';
import type { GitServer } from '../../../../src/sync/ports.js';
import { anObjectId, aPolicy, aUser } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

// Found by an independent review of the run budget and the per-lane work (docs/performance.md).
const G1 = anObjectId(7101);
const G2 = anObjectId(7102);

function world(users = 0) {
  const w = fakeWorld(
    aPolicy({
      mapping: [
        { group: G1, org: 'acme', team: 'team1', permission: 'write' },
        { group: G2, org: 'acme', team: 'team2', permission: 'write' },
      ],
    }),
  );
  const adele = aUser({ mailNickname: 'adele' });
  w.directory.users.set(adele.id, adele);
  w.directory.groups.set(G1, new Set([adele.id]));
  w.directory.groups.set(G2, new Set([adele.id]));
  for (let n = 0; n < users; n++) {
    const user = aUser({ mailNickname: `user${String(n).padStart(2, '0')}` });
    w.directory.users.set(user.id, user);
    w.directory.groups.get(G1)?.add(user.id);
  }
  const handle = (
    input: Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] },
    dequeueCount = 1,
  ) => handleMessage(w.app, { receivedAt: w.clock.now(), ...input }, { messageId: 'm', dequeueCount });
  return { ...w, adele, handle };
}

const actionAudits = (w: ReturnType<typeof world>) => w.audit.filter((r) => r.type === 'action');
/** Runs queued as continuations (a retry comes back as a copy with a higher attempt instead). */
const continuations = (w: ReturnType<typeof world>) =>
  w.queue.take().filter((sent) => sent.message.kind === 'reconcile' && sent.message.attempt === 0);

describe('a run past its budget', () => {
  it('a re-assertion continues where it stopped, so a long pass ends having reached every user', async () => {
    const w = world(30);
    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });
    w.queue.take();
    const patched = new Set<string>();
    const updateUser = w.git.updateUser.bind(w.git);
    w.git.updateUser = async (...args: Parameters<GitServer['updateUser']>) => {
      patched.add(args[0]);
      w.clock.advance(RUN_APPLY_BUDGET_MS / 20);
      return updateUser(...args);
    };

    let next: ChangeMessage | undefined = { kind: 'reassert', attempt: 0, receivedAt: w.clock.now() };
    let runs = 0;
    for (; next && runs < 20; runs++) {
      w.clock.advance(1_000);
      await w.handle({ ...next, receivedAt: w.clock.now() } as ChangeMessageInput);
      next = w.queue.take().find((sent) => sent.message.kind === 'reassert')?.message;
    }

    expect(next).toBeUndefined();
    expect(runs).toBeGreaterThan(1);
    expect(patched.size).toBe(31);
  });

  it('a run whose reads took most of the budget still writes for a while', async () => {
    const w = world();
    const readGroupMembers = w.directory.readGroupMembers.bind(w.directory);
    w.directory.readGroupMembers = async (...args) => {
      // Two mapped groups: reads end just before the hard stop leaves a minute of writes.
      w.clock.advance((RUN_HARD_STOP_MS - RUN_MIN_APPLY_MS - 1_000) / 2);
      return readGroupMembers(...args);
    };

    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });

    expect(w.git.teamMembers('acme', 'team1')).toEqual(['adele']);
  });

  it('a run that could start no write fails instead of queueing itself again', async () => {
    const w = world();
    const readGroupMembers = w.directory.readGroupMembers.bind(w.directory);
    w.directory.readGroupMembers = async (...args) => {
      w.clock.advance(RUN_HARD_STOP_MS / 2 + 1_000);
      return readGroupMembers(...args);
    };

    expect(await w.handle({ kind: 'reconcile', requestedBy: 'timer' })).toMatchObject({
      status: 'retried',
      reason: expect.stringMatching(/started none of its \d+ actions before its deadline/),
    });
    expect(continuations(w)).toEqual([]);
    expect([...w.runs.values()][0]).toMatchObject({ status: 'failed' });
  });

  it('a run with a retryable failure comes back with backoff, not also as a continuation', async () => {
    const w = world(30);
    const createUser = w.git.createUser.bind(w.git);
    w.git.createUser = async (...args: Parameters<GitServer['createUser']>) => {
      w.clock.advance(RUN_APPLY_BUDGET_MS / 10);
      if (args[0] === 'user00') throw Object.assign(new Error('Gogs 503'), { retryable: true });
      return createUser(...args);
    };

    expect(await w.handle({ kind: 'reconcile', requestedBy: 'timer' })).toMatchObject({
      status: 'retried',
      reason: expect.stringMatching(/may succeed later/),
    });
    expect(continuations(w)).toEqual([]);
  });
});

describe('what applied is audited, whatever fails after it', () => {
  it('a mark that fails after the writes leaves every write audited and the message retried', async () => {
    const w = world(50);
    const markEvent = w.app.stores.sync.markEvent;
    let failed = false;
    w.app.stores.sync.markEvent = async (key, at) => {
      if (!failed && key === `user:${w.adele.id}` && w.git.teamMembers('acme', 'team2').length > 0) {
        failed = true;
        throw Object.assign(new Error('table 503'), { retryable: true });
      }
      return markEvent(key, at);
    };

    expect(await w.handle({ kind: 'reconcile', requestedBy: 'timer' })).toMatchObject({
      status: 'retried',
      reason: expect.stringMatching(/fence marks of 1 object/),
    });

    expect(failed).toBe(true);
    // One org, two teams, 51 creates, 52 memberships.
    expect(actionAudits(w)).toHaveLength(1 + 2 + 51 + 52);
    expect(actionAudits(w).every((r) => r.status === 'applied')).toBe(true);
  });

  it("a user lease that can't be had fails that user's actions only; the rest applies and is audited", async () => {
    const w = world(5);
    const withLease = w.app.stores.sync.withLease;
    w.app.stores.sync.withLease = (key, work) =>
      key === `user:${w.adele.id}`
        ? Promise.reject(Object.assign(new Error('lease busy'), { name: 'LeaseBusyError', retryable: true }))
        : withLease(key, work);

    expect(await w.handle({ kind: 'reconcile', requestedBy: 'timer' })).toMatchObject({
      status: 'retried',
      reason: expect.stringMatching(/lease busy/),
    });

    expect(w.git.teamMembers('acme', 'team1')).toHaveLength(5);
    const audits = actionAudits(w);
    // Adele's account and memberships fail, to be retried; nothing of hers is left without an outcome.
    expect(audits.filter((r) => r.status === 'failed').map((r) => r.kind)).toEqual([
      'createUser',
      'addTeamMember',
      'addTeamMember',
    ]);
    expect(audits.filter((r) => r.status === 'applied')).toHaveLength(1 + 2 + 5 + 5);
    expect(audits).toHaveLength(1 + 2 + 6 + 7);
  });
});

describe('a user event that could not finish', () => {
  it('a restore whose team addition failed is completed by the retry', async () => {
    const w = world();
    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });
    w.clock.advance(1_000);
    w.adele.accountEnabled = false;
    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });
    w.queue.take();
    w.clock.advance(1_000);
    w.adele.accountEnabled = true;
    const addTeamMember = w.git.addTeamMember.bind(w.git);
    let failOnce = true;
    w.git.addTeamMember = async (...args: Parameters<GitServer['addTeamMember']>) => {
      if (failOnce && args[0].team === 'team2') {
        failOnce = false;
        throw Object.assign(new Error('Gogs 503'), { retryable: true });
      }
      return addTeamMember(...args);
    };

    expect(await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' })).toMatchObject({
      status: 'retried',
    });
    expect(w.git.teamMembers('acme', 'team2')).toEqual([]);
    const retry = w.queue.take().find((sent) => sent.message.attempt === 1);
    w.clock.advance(1_000);
    await w.handle({ ...(retry?.message as ChangeMessageInput), receivedAt: w.clock.now() }, 2);

    expect(w.git.hidden('adele').active).toBe(true);
    expect(w.git.teamMembers('acme', 'team2')).toEqual(['adele']);
  });

  it('the re-check after an event checks the teams the user belongs in', async () => {
    const w = world();
    await w.handle({ kind: 'reconcile', requestedBy: 'timer' });
    await w.git.removeTeamMember({ org: 'acme', team: 'team2' }, 'adele');

    await w.handle({ kind: 'user', objectId: w.adele.id, source: 'notification' });
    expect(w.git.teamMembers('acme', 'team2')).toEqual([]);
    const [recheck] = w.queue.take();
    w.clock.advance(61_000);
    await w.handle({ ...(recheck?.message as ChangeMessageInput), receivedAt: w.clock.now() });

    expect(w.git.teamMembers('acme', 'team2')).toEqual(['adele']);
  });
});
