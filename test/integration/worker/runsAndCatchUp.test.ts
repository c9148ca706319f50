import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, startWorkerEnv, U, type WorkerEnv } from './workerEnv.js';

let env: WorkerEnv;

beforeAll(async () => {
  env = await startWorkerEnv();
});

afterAll(async () => {
  await env?.close();
});

describe('applyChanges: reconcile runs', () => {
  it('stores the plan of a dry run and writes nothing to Gogs', async () => {
    const result = await env.handle({ kind: 'reconcile', dryRun: true, requestedBy: 'test' });

    expect(result).toMatchObject({ kind: 'reconcile', status: 'done' });
    const runId = 'runId' in result ? result.runId : undefined;
    const run = await env.app.stores.runs.get(runId ?? '');
    expect(run).toMatchObject({ kind: 'reconcile', status: 'succeeded', dryRun: true, requestedBy: 'test' });
    const plan = run?.plan as { actions: { kind: string; username?: string }[] };
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'createUser', username: 'adele' }));
    expect(plan.actions).toContainEqual(expect.objectContaining({ kind: 'createTeam' }));
    expect(await env.gogsUser('adele')).toBeUndefined();
  });

  it('applies a reconcile with counts per outcome, audits each action and the run', async () => {
    const result = await env.handle({ kind: 'reconcile' });

    const runId = 'runId' in result ? (result.runId ?? '') : '';
    const run = await env.app.stores.runs.get(runId);
    // createOrg, createTeam, two users, two memberships.
    expect(run).toMatchObject({ status: 'succeeded', dryRun: false, counts: { planned: 6, applied: 6 } });
    expect((await env.gogsUser('alex'))?.teams).toEqual([
      expect.objectContaining({ org: 'acme', team: 'engineering' }),
    ]);
    const rows = await env.app.stores.audit.table.query({ from: Date.now() - 60_000, to: Date.now() });
    const ofRun = rows.filter((r) => r.runId === runId);
    expect(ofRun.filter((r) => r.type === 'action')).toHaveLength(6);
    expect(ofRun.every((r) => r.cause?.type === 'reconcile' && r.cause.id === runId)).toBe(true);
    expect(ofRun.find((r) => r.type === 'run')).toMatchObject({
      status: 'succeeded',
      counts: { applied: 6 },
    });
    expect(await env.app.stores.groupSizes.get(G.engineering)).toMatchObject({ members: 2 });
  });

  it('changes nothing when nothing changed', async () => {
    const result = await env.handle({ kind: 'reconcile' });
    expect(result).toMatchObject({ status: 'done', counts: { planned: 0 } });
  });

  it('re-sends the fields Gogs hides on a re-assertion pass', async () => {
    const result = await env.handle({ kind: 'reassert' });
    const runId = 'runId' in result ? (result.runId ?? '') : '';
    expect(await env.app.stores.runs.get(runId)).toMatchObject({ kind: 'reassert', status: 'succeeded' });
    expect(result).toMatchObject({ counts: { applied: expect.any(Number) } });
  });
});

describe('applyChanges: catch-up from delta cursors', () => {
  it('starts from latest on first run and asks for a full reconcile', async () => {
    await env.clearQueues();
    const result = await env.handle({ kind: 'catchUp' });

    expect(result).toMatchObject({ status: 'done' });
    expect(await env.app.stores.cursors.get('users')).toBeDefined();
    expect(await env.app.stores.cursors.get('groups')).toBeDefined();
    const queued = await env.takeMessages();
    expect(queued).toEqual([expect.objectContaining({ kind: 'reconcile' })]);
    const last = await env.app.stores.settings.get('lastCatchUp');
    expect(last?.value).toMatchObject({ at: expect.any(Number) });
  });

  it('enqueues every changed user and group like a notification', async () => {
    await env.admin.request('PATCH', `/users/${U.adele}`, { body: { displayName: 'Adele V.' } });
    await env.addMember(G.contractors, U.adele);

    const result = await env.handle({ kind: 'catchUp' });

    expect(result).toMatchObject({ status: 'done' });
    const queued = await env.takeMessages();
    expect(queued).toContainEqual(
      expect.objectContaining({ kind: 'user', objectId: U.adele, source: 'catchUp', attempt: 0 }),
    );
    expect(queued).toContainEqual(
      expect.objectContaining({
        kind: 'group',
        objectId: G.contractors,
        source: 'catchUp',
        membersDelta: [expect.objectContaining({ id: U.adele })],
      }),
    );
    expect(queued.some((m) => m.kind === 'reconcile')).toBe(false);
  });

  it('enqueues a reconcile and restarts from latest when the cursor expired', async () => {
    await env.graphControl('POST', '/delta/expire', {});
    const before = await env.app.stores.cursors.get('users');

    const result = await env.handle({ kind: 'catchUp' });

    expect(result).toMatchObject({ status: 'done' });
    const queued = await env.takeMessages();
    expect(queued).toEqual([
      expect.objectContaining({ kind: 'reconcile', reason: expect.stringMatching(/expired/) }),
    ]);
    const after = await env.app.stores.cursors.get('users');
    expect(after?.deltaLink).not.toBe(before?.deltaLink);
    // The fresh cursor works.
    await env.handle({ kind: 'catchUp' });
    expect(await env.takeMessages()).toEqual([]);
  });
});

describe('applyChanges: lifecycle events', () => {
  it('turns reauthorizationRequired into a renew, and missed into a renew and a catch-up', async () => {
    await env.clearQueues();
    const subscriptionId = '5e1d3c52-0000-4000-8000-000000000001';
    await env.handle({ kind: 'lifecycle', subscriptionId, lifecycleEvent: 'reauthorizationRequired' });
    expect(await env.takeMessages()).toEqual([expect.objectContaining({ kind: 'renew', subscriptionId })]);

    await env.handle({ kind: 'lifecycle', subscriptionId, lifecycleEvent: 'missed' });
    const kinds = (await env.takeMessages()).map((m) => m.kind).sort();
    expect(kinds).toEqual(['catchUp', 'renew']);
  });
});
