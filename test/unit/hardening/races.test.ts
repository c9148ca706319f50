import { describe, expect, it } from 'vitest';
import type { WorkerApp } from '../../../src/app/worker/workerApp.js';
import type { ChangeMessage } from '../../../src/state/index.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { fakeWorld } from '../app/worker/fakeWorkerApp.js';
import { Dice, jitter, jittered, QueuePump } from './support.js';

const SEEDS = 200;
const ENGINEERING = anObjectId(6001);

function world(seed: number) {
  const w = fakeWorld(
    aPolicy({ mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }] }),
  );
  const dice = new Dice(seed);
  const adele = aUser({ id: anObjectId(6100), mailNickname: 'adele' });
  const bystander = aUser({ id: anObjectId(6101), mailNickname: 'bob' });
  w.directory.users.set(adele.id, adele);
  w.directory.users.set(bystander.id, bystander);
  w.directory.groups.set(ENGINEERING, new Set([adele.id, bystander.id]));
  // Both workers share the storage and the fakes; each Graph and Gogs call pauses at random.
  const app: WorkerApp = {
    ...w.app,
    directory: jittered(w.directory, dice),
    gogs: jittered(w.git, dice),
  };
  return { ...w, app, dice, adele };
}
type World = ReturnType<typeof world>;

/** What Gogs holds of adele against what Graph says now. */
function mismatch(w: World): string | undefined {
  const user = w.directory.users.get(w.adele.id);
  const inScope = w.directory.groups.get(ENGINEERING)?.has(w.adele.id) === true;
  const want = user?.accountEnabled === true && inScope;
  const active = w.git.hidden('adele').active;
  const member = w.git.teamMembers('acme', 'engineering').includes('adele');
  if (active !== want || member !== want)
    return `want active+member ${want}, got active ${active} member ${member}`;
  return undefined;
}

/** One random directory change, with the notification Graph would send for it. */
function mutate(w: World): Partial<ChangeMessage> & { kind: 'user' | 'group'; objectId: string } {
  const user = w.directory.users.get(w.adele.id);
  const members = w.directory.groups.get(ENGINEERING) as Set<string>;
  w.clock.advance(w.dice.int(1, 50));
  if (w.dice.chance(0.5) && user) {
    user.accountEnabled = !user.accountEnabled;
    return { kind: 'user', objectId: w.adele.id };
  }
  if (members.has(w.adele.id)) members.delete(w.adele.id);
  else members.add(w.adele.id);
  return { kind: 'group', objectId: ENGINEERING };
}

const immediate = (m: ChangeMessage) => !('source' in m) || m.source !== 'recheck' || m.attempt > 0;

async function storm(seed: number, withReconcile: boolean): Promise<World> {
  const w = world(seed);
  const pump = new QueuePump(w, w.app);
  pump.send({ kind: 'reconcile', requestedBy: 'timer' });
  await pump.drainVisible((m) => m.kind === 'reconcile');
  pump.pending.splice(0);
  expect(mismatch(w), `seed ${seed}: initial`).toBeUndefined();

  // Notifications arrive in any order; delayed re-checks stay invisible until the storm is over.
  const inbox: ChangeMessage[] = [];
  let producing = true;
  let lastChangeComing = () => {};
  const beforeLastChange = new Promise<void>((resolve) => {
    lastChangeComing = resolve;
  });
  const producer = async () => {
    for (let n = w.dice.int(3, 8); n > 0; n--) {
      if (n === 1) lastChangeComing();
      await jitter(w.dice, 40);
      const change = mutate(w);
      inbox.push({
        ...change,
        source: 'notification',
        attempt: 0,
        receivedAt: w.clock.now(),
      } as ChangeMessage);
    }
    producing = false;
  };
  const worker = async () => {
    while (producing || inbox.length > 0 || pump.hasVisible(immediate)) {
      const fromQueue = pump.take(w.dice, immediate);
      const message = fromQueue ?? inbox.splice(w.dice.int(0, Math.max(0, inbox.length - 1)), 1)[0];
      if (!message) {
        await jitter(w.dice, 20);
        continue;
      }
      await pump.deliver(message);
    }
  };
  // Reconciles (one at a time, as their lease makes them) start at random points of the storm; the
  // last one reads around the last change, so only fencing can keep it from undoing that change.
  const reconciler = async () => {
    for (let n = w.dice.int(1, 3); n > 0; n--) {
      await (n === 1 ? beforeLastChange : jitter(w.dice, 60));
      await pump.deliver({
        kind: 'reconcile',
        requestedBy: 'timer',
        attempt: 0,
        receivedAt: w.clock.now(),
      } as ChangeMessage);
    }
  };
  await Promise.all([producer(), worker(), worker(), ...(withReconcile ? [reconciler()] : [])]);
  await pump.drainVisible(immediate);
  return Object.assign(w, { pump });
}

describe('two workers racing on one user (DESIGN §3.2, §3.3 fencing)', () => {
  it(`ends with Gogs equal to Graph after interleaved disable/enable/add/remove (${SEEDS} seeds)`, async () => {
    let fenced = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const w = (await storm(seed, false)) as World & { pump: QueuePump };
      fenced += w.pump.results.filter((r) => 'counts' in r && (r.counts?.superseded ?? 0) > 0).length;
      expect(mismatch(w), `seed ${seed}: before any re-check`).toBeUndefined();
      await w.pump.runUntilIdle();
      expect(mismatch(w), `seed ${seed}: after the re-checks`).toBeUndefined();
      expect(w.pump.results.filter((r) => r.status === 'poisoned' || r.status === 'dropped')).toEqual([]);
    }
    // Events planned from reads another worker overtook are closed as superseded and re-planned.
    expect(fenced).toBeGreaterThan(SEEDS / 10);
  });

  it(`converges with reconciles running through the storm, their stale actions superseded (${SEEDS} seeds)`, async () => {
    let runsWithStaleActions = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const w = (await storm(seed, true)) as World & { pump: QueuePump };
      runsWithStaleActions += w.pump.results.filter(
        (r) => r.kind === 'reconcile' && 'counts' in r && (r.counts?.superseded ?? 0) > 0,
      ).length;
      expect(mismatch(w), `seed ${seed}: before any re-check`).toBeUndefined();
      await w.pump.runUntilIdle();
      expect(mismatch(w), `seed ${seed}: after the re-checks`).toBeUndefined();
    }
    // The storm does make reconciles act on stale snapshots; fencing closes those actions.
    expect(runsWithStaleActions).toBeGreaterThan(SEEDS / 10);
  });
});

/** Holds the next `listUsers` (a reconcile's Gogs read, after its Graph read) until released. */
function gatedGogs(w: ReturnType<typeof fakeWorld>) {
  let armed = false;
  let release = () => {};
  let reached = () => {};
  const reachedGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gogs = new Proxy(w.git, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop !== 'listUsers' || typeof value !== 'function') return value;
      return async () => {
        if (armed) {
          armed = false;
          reached();
          await gate;
        }
        return value.apply(obj, []);
      };
    },
  });
  return {
    app: { ...w.app, gogs } as WorkerApp,
    arm: () => {
      armed = true;
    },
    reachedGate,
    release: () => release(),
  };
}

describe('a reconcile that read Graph before a change was handled (DESIGN §3.3 snapshot fencing)', () => {
  const setup = () => {
    const w = fakeWorld(
      aPolicy({ mapping: [{ group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' }] }),
    );
    const adele = aUser({ id: anObjectId(6200), mailNickname: 'adele' });
    w.directory.users.set(adele.id, adele);
    w.directory.groups.set(ENGINEERING, new Set([adele.id]));
    const gated = gatedGogs(w);
    const pump = new QueuePump(w, gated.app);
    return { ...w, adele, gated, pump };
  };
  const reconcileAround = async (s: ReturnType<typeof setup>, change: () => ChangeMessage) => {
    s.gated.arm();
    const reconcile = s.pump.deliver({
      kind: 'reconcile',
      requestedBy: 'timer',
      attempt: 0,
      receivedAt: s.clock.now(),
    } as ChangeMessage);
    await s.gated.reachedGate; // it has read Graph, not Gogs yet
    s.clock.advance(1_000);
    await s.pump.deliver(change());
    s.gated.release();
    return reconcile;
  };

  it('never restores a leaver', async () => {
    const s = setup();
    s.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    await s.pump.drainVisible();

    const result = await reconcileAround(s, () => {
      s.adele.accountEnabled = false;
      return {
        kind: 'user',
        objectId: s.adele.id,
        source: 'notification',
        attempt: 0,
        receivedAt: s.clock.now(),
      } as ChangeMessage;
    });

    expect(result).toMatchObject({ status: 'done', counts: expect.objectContaining({ superseded: 1 }) });
    expect(s.git.hidden('adele').active).toBe(false);
    expect(s.git.teamMembers('acme', 'engineering')).toEqual([]);
  });

  it('never removes a newcomer', async () => {
    const s = setup();
    s.pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    await s.pump.drainVisible();
    s.directory.groups.get(ENGINEERING)?.delete(s.adele.id);
    s.pump.send({ kind: 'group', objectId: ENGINEERING });
    await s.pump.drainVisible((m) => m.kind === 'group' && m.source !== 'recheck');
    expect(s.git.hidden('adele').active).toBe(false);

    const result = await reconcileAround(s, () => {
      s.directory.groups.get(ENGINEERING)?.add(s.adele.id);
      return {
        kind: 'group',
        objectId: ENGINEERING,
        source: 'notification',
        attempt: 0,
        receivedAt: s.clock.now(),
      } as ChangeMessage;
    });

    expect(result).toMatchObject({ status: 'done' });
    expect(s.git.hidden('adele').active).toBe(true);
    expect(s.git.teamMembers('acme', 'engineering')).toEqual(['adele']);
  });
});
