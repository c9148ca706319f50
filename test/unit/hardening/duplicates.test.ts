import { describe, expect, it } from 'vitest';
import type { WorkerApp } from '../../../src/app/worker/workerApp.js';
import type { ChangeMessage } from '../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { fakeWorld } from '../app/worker/fakeWorkerApp.js';
import { Dice, jittered, QueuePump } from './support.js';

const ENGINEERING = anObjectId(9001);

function world(seed: number) {
  const w = fakeWorld(
    aPolicy({ mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }] }),
  );
  const dice = new Dice(seed);
  const [adele, bob, carol] = ['adele', 'bob', 'carol'].map((n) => aUser({ mailNickname: n }));
  if (!adele || !bob || !carol) throw new Error('users');
  for (const u of [adele, bob, carol]) w.directory.users.set(u.id, u);
  w.directory.groups.set(ENGINEERING, new Set([adele.id, bob.id]));
  const app: WorkerApp = { ...w.app, directory: jittered(w.directory, dice), gogs: jittered(w.git, dice) };
  return { ...w, app, dice, adele, bob, carol, pump: new QueuePump(w, app) };
}
type World = ReturnType<typeof world>;

async function converge(w: World) {
  w.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
  await w.pump.runUntilIdle();
  w.audit.splice(0);
  w.clock.advance(1_000);
}

/** Applied actions in the audit, as `kind target` lines, sorted. */
function effects(w: World): string[] {
  return w.audit
    .filter((r) => r.type === 'action' && r.status === 'applied')
    .map((r) => `${r.kind} ${r.username ?? r.target}`)
    .sort();
}

/** Delivers messages the way several queue instances would: all at once, each to its own worker. */
async function deliverConcurrently(w: World, messages: ChangeMessage[]) {
  await Promise.all(messages.map((m) => w.pump.deliver(m)));
}

const note = (
  w: World,
  kind: 'user' | 'group',
  objectId: string,
  receivedAt = w.clock.now(),
): ChangeMessage => ({ kind, objectId, source: 'notification', attempt: 0, receivedAt }) as ChangeMessage;

describe('duplicates and reordering (DESIGN §1.6, §3.2)', () => {
  it('the same notification five times, handled concurrently, has one effect in the audit (50 seeds)', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      const w = world(seed);
      await converge(w);
      w.adele.accountEnabled = false;
      w.directory.groups.get(ENGINEERING)?.add(w.carol.id);
      w.clock.advance(10);
      const received = w.clock.now();
      w.clock.advance(5); // the queue hands them out a little later

      await deliverConcurrently(w, [
        ...Array.from({ length: 5 }, () => note(w, 'user', w.adele.id, received)),
        ...Array.from({ length: 5 }, () => note(w, 'group', ENGINEERING, received)),
      ]);

      // Suspending takes adele out of the team too, so whether a removeTeamMember row precedes it
      // depends on which flow came first; what must never happen is the same effect twice.
      const applied = effects(w);
      expect(applied, `seed ${seed}`).toEqual([...new Set(applied)]);
      expect(applied, `seed ${seed}`).toEqual(
        expect.arrayContaining(['addTeamMember carol', 'createUser carol', 'suspendUser adele']),
      );
      expect(applied.length, `seed ${seed}`).toBeLessThanOrEqual(4);
      // The re-checks that follow change nothing either.
      await w.pump.runUntilIdle();
      expect(effects(w), `seed ${seed}: after re-checks`).toEqual(applied);
    }
  });

  it('every order of one batch of changes ends in the same state, each effect once', async () => {
    const orders = [
      [0, 1, 2],
      [0, 2, 1],
      [1, 0, 2],
      [1, 2, 0],
      [2, 0, 1],
      [2, 1, 0],
    ];
    const outcomes = new Set<string>();
    for (const [n, order] of orders.entries()) {
      const w = world(n + 1);
      await converge(w);
      // One batch: bob leaves, carol joins, adele is disabled; Graph delivers it in some order.
      w.directory.groups.get(ENGINEERING)?.delete(w.bob.id);
      w.directory.groups.get(ENGINEERING)?.add(w.carol.id);
      w.adele.accountEnabled = false;
      w.clock.advance(10);
      const batch = [
        note(w, 'group', ENGINEERING),
        note(w, 'group', ENGINEERING),
        note(w, 'user', w.adele.id),
      ];
      for (const i of order) await w.pump.deliver(batch[i] as ChangeMessage);
      await w.pump.runUntilIdle();

      const applied = effects(w);
      expect(new Set(applied).size, `order ${order}: ${applied}`).toBe(applied.length);
      const accounts = ['adele', 'bob', 'carol'].map(
        (u) => `${u}:${w.git.hasUser(u) && w.git.hidden(u).active}`,
      );
      outcomes.add(JSON.stringify({ team: w.git.teamMembers('acme', 'engineering').sort(), accounts }));
    }
    expect([...outcomes]).toHaveLength(1);
    expect(JSON.parse([...outcomes][0] as string).team).toEqual(['carol']);
  });
});
