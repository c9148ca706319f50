import { describe, expect, it } from 'vitest';
import { requestDrain } from '../../../src/app/http/drainRequest.js';
import { MAPPING_STATE } from '../../../src/app/worker/mappingWatch.js';
import type { WorkerApp } from '../../../src/app/worker/workerApp.js';
import type { ChangeMessageInput } from '../../../src/state/index.js';
import type { Finding } from '../../../src/sync/model.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { fakeWorld } from '../app/worker/fakeWorkerApp.js';
import { QueuePump } from './support.js';

const ENGINEERING = anObjectId(9501);
const DESIGNERS = anObjectId(9502);
const engineering = { group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' as const };
const design = { group: DESIGNERS, org: 'acme', team: 'design', permission: 'read' as const };

function world() {
  const w = fakeWorld(aPolicy({ mapping: [engineering, design] }));
  const [adele, dana] = ['adele', 'dana'].map((n) => aUser({ mailNickname: n }));
  if (!adele || !dana) throw new Error('users');
  for (const u of [adele, dana]) w.directory.users.set(u.id, u);
  w.directory.groups.set(ENGINEERING, new Set([adele.id, dana.id]));
  w.directory.groups.set(DESIGNERS, new Set([dana.id]));
  return { ...w, adele, dana };
}

/** The same storage and fakes, running with another SYNC_MAPPING (a redeploy). */
function redeployed(w: ReturnType<typeof world>, mapping: (typeof engineering | typeof design)[]): WorkerApp {
  return { ...w.app, policy: aPolicy({ mapping }) };
}

const lastRun = (w: ReturnType<typeof world>) => {
  const run = [...w.runs.values()].filter((r) => r.kind === 'reconcile').at(-1);
  return run && { ...run, plan: run.plan as { findings?: Finding[] } | undefined };
};

describe('mapping lifecycle (DESIGN §5)', () => {
  it('a mapping change enqueues a reconcile; the team that left is reported, not touched, until drained', async () => {
    const w = world();
    const pump = new QueuePump(w);
    pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    pump.send({ kind: 'catchUp' });
    await pump.runUntilIdle();
    expect(w.git.teamMembers('acme', 'design')).toEqual(['dana']);
    expect(w.settings.values.get(MAPPING_STATE)).toBeDefined();

    // Same mapping: the catch-up timer enqueues no reconcile.
    await pump.deliver({ kind: 'catchUp', attempt: 0, receivedAt: w.clock.now() } as never);
    expect(pump.pending.filter((p) => p.message.kind === 'reconcile')).toEqual([]);

    // The design team leaves the mapping.
    const app = redeployed(w, [engineering]);
    const after = new QueuePump(w, app);
    after.send({ kind: 'catchUp' });
    await after.drainVisible((m) => m.kind === 'catchUp');
    const reconciles = after.pending.filter((p) => p.message.kind === 'reconcile');
    expect(reconciles.map((p) => p.message)).toContainEqual(
      expect.objectContaining({ reason: 'SYNC_MAPPING changed' }),
    );
    await after.runUntilIdle();

    expect(w.git.teamMembers('acme', 'design')).toEqual(['dana']);
    expect(lastRun(w)?.plan?.findings).toContainEqual({
      kind: 'formerlyManagedTeam',
      org: 'acme',
      team: 'design',
      managedMembers: 1,
    });

    // The operator asks for the drain (the admin route queues a reconcile carrying the teams).
    const queued: ChangeMessageInput[] = [];
    const answer = await requestDrain(JSON.stringify({ teams: [{ org: 'acme', team: 'design' }] }), {
      runs: { newId: () => 'run-drain', queue: async () => undefined, fail: async () => undefined },
      enqueue: async (m) => void queued.push(m),
      now: w.clock.now(),
      by: 'entra:operator',
    });
    expect(answer).toMatchObject({ status: 202 });
    for (const m of queued) after.send(m as never);
    await after.runUntilIdle();

    expect(w.git.teamMembers('acme', 'design')).toEqual([]);
    expect(w.git.teamMembers('acme', 'engineering').sort()).toEqual(['adele', 'dana']);
    expect(w.git.hidden('dana').active).toBe(true);
    // Drained, the team is forgotten: the next run reports nothing about it.
    after.send({ kind: 'reconcile', requestedBy: 'timer' });
    await after.runUntilIdle();
    expect(lastRun(w)?.plan?.findings?.some((f) => f.kind === 'formerlyManagedTeam')).toBe(false);
  });

  it('reports permission drift of a managed team in the reconcile run summary', async () => {
    const w = world();
    await w.git.createOrg('acme');
    await w.git.createTeam('acme', 'design', 'admin');
    const pump = new QueuePump(w);
    pump.send({ kind: 'reconcile', requestedBy: 'timer' });
    await pump.runUntilIdle();

    const run = lastRun(w);
    expect(run?.counts?.['finding.teamPermissionDrift']).toBe(1);
    expect(run?.plan?.findings).toContainEqual(
      expect.objectContaining({
        kind: 'teamPermissionDrift',
        team: 'design',
        expected: 'read',
        actual: 'admin',
      }),
    );
  });
});
