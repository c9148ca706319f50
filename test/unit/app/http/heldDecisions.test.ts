import { describe, expect, it } from 'vitest';
import { decideHeld, type HeldDeps, listHeld } from '../../../../src/app/http/heldDecisions.js';
import { heldRoute } from '../../../../src/app/http/heldRoute.js';
import type { Action, Outcome } from '../../../../src/domain/actions.js';
import type { AuditRecord, HeldRecord } from '../../../../src/state/index.js';
import { HeldActionError } from '../../../../src/state/index.js';
import type { HeldAction } from '../../../../src/sync/ports.js';

const NOW = Date.parse('2026-11-26T04:00:00Z');
const USER = '5d1f3a2b-4c6e-4d8f-a1b3-c5e7f9a2b4d6';
const ID = `removeTeamMember:acme/engineering:${USER}`;

function aRemoval(overrides: Partial<Action> = {}): Action {
  return {
    kind: 'removeTeamMember',
    objectId: USER,
    username: 'jsmith',
    org: 'acme',
    team: 'engineering',
    reason: 'left Engineering',
    snapshotAt: NOW - 3_600_000,
    fence: [`user:${USER}`],
    hold: 'suspectRead',
    ...overrides,
  } as Action;
}

/** The held table, event marks and side effects in memory. */
function fakeHeld(options: { lastEventAt?: number; outcome?: Outcome['status']; blocked?: string } = {}) {
  const rows = new Map<string, HeldRecord>([
    [
      ID,
      {
        id: ID,
        action: aRemoval(),
        heldAt: NOW - 1_000,
        because: 'suspectRead',
        cause: 'run-1',
        status: 'held',
      },
    ],
  ]);
  const applied: Action[] = [];
  const requeued: string[] = [];
  const audit: AuditRecord[] = [];
  const held: HeldAction[] = [];
  const decide =
    (status: 'approved' | 'rejected') => async (id: string, by: string, at: number, note?: string) => {
      const row = rows.get(id);
      if (row?.status !== 'held') throw new HeldActionError(`held action ${id} was already ${row?.status}`);
      const next = { ...row, status, decidedBy: by, decidedAt: at, ...(note ? { note } : {}) };
      rows.set(id, next);
      return next;
    };
  const deps: HeldDeps = {
    get: async (id) => rows.get(id),
    list: async (filter) => [...rows.values()].filter((r) => !filter.status || r.status === filter.status),
    approve: decide('approved'),
    reject: decide('rejected'),
    hold: async (h) => {
      held.push(h);
      rows.set(h.id, { ...h, status: 'held' });
    },
    lastEventAt: async () => options.lastEventAt,
    apply: async (action) => {
      applied.push(action);
      const status = options.outcome ?? 'applied';
      return status === 'failed'
        ? { action, status, error: { message: 'Gogs 500', retryable: true } }
        : { action, status };
    },
    requeue: async (key) => {
      requeued.push(key);
    },
    audit: async (records) => {
      audit.push(...records);
    },
    blocked: async () => options.blocked,
    now: NOW,
    by: 'entra:operator-1',
  };
  return { deps, rows, applied, requeued, audit, held };
}

describe('held actions', () => {
  it('lists the waiting ones by default, all on request, and refuses an unknown status', async () => {
    const { deps } = fakeHeld();
    expect((await listHeld(new URLSearchParams(), deps)).json).toMatchObject({ count: 1 });
    expect((await listHeld(new URLSearchParams('status=approved'), deps)).json).toMatchObject({ count: 0 });
    expect((await listHeld(new URLSearchParams('status=all'), deps)).json).toMatchObject({ count: 1 });
    expect((await listHeld(new URLSearchParams('status=maybe'), deps)).status).toBe(400);
  });

  it('approves: applies the action once, without its hold mark, and audits decision and outcome', async () => {
    const { deps, applied, audit, rows } = fakeHeld({ lastEventAt: NOW - 7_200_000 });

    const result = await decideHeld({ id: ID, decision: 'approve', note: 'checked with HR' }, deps);

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({
      held: { status: 'approved', decidedBy: 'entra:operator-1' },
      outcome: { status: 'applied' },
    });
    expect(applied).toHaveLength(1);
    expect(applied[0]).not.toHaveProperty('hold');
    expect(rows.get(ID)?.status).toBe('approved');
    expect(audit.map((r) => [r.type, r.kind, r.status, r.actor])).toEqual([
      ['event', 'heldApproved', 'approved', 'entra:operator-1'],
      ['action', 'removeTeamMember', 'applied', 'entra:operator-1'],
    ]);
    expect(audit[1]?.cause).toEqual({ type: 'operator', id: 'entra:operator-1' });
  });

  it('re-plans a stale action instead of applying it', async () => {
    const { deps, applied, requeued, audit, rows } = fakeHeld({ lastEventAt: NOW - 60_000 });

    const result = await decideHeld({ id: ID, decision: 'approve' }, deps);

    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ outcome: { status: 'superseded' } });
    expect(applied).toEqual([]);
    expect(requeued).toEqual([`user:${USER}`]);
    expect(rows.get(ID)).toMatchObject({ status: 'rejected', note: expect.stringMatching(/^superseded: /) });
    expect(audit.map((r) => r.kind)).toEqual(['heldSuperseded']);
  });

  it('holds a failed action again and answers 503 when Gogs may recover', async () => {
    const { deps, held, rows } = fakeHeld({ outcome: 'failed' });
    const result = await decideHeld({ id: ID, decision: 'approve' }, deps);
    expect(result.status).toBe(503);
    expect(result.json).toMatchObject({ error: 'unavailable' });
    expect(held).toHaveLength(1);
    expect(rows.get(ID)?.status).toBe('held');
  });

  it('rejects: recorded and audited, nothing applied', async () => {
    const { deps, applied, audit } = fakeHeld();
    const result = await decideHeld({ id: ID, decision: 'reject', note: 'wrong group' }, deps);
    expect(result.json).toMatchObject({ held: { status: 'rejected', note: 'wrong group' } });
    expect(applied).toEqual([]);
    expect(audit[0]).toMatchObject({
      kind: 'heldRejected',
      reason: 'wrong group',
      objectId: USER,
      target: 'acme/engineering',
    });
  });

  it('answers 404 for an unknown id and 409 for a decided one or while blocked', async () => {
    const { deps } = fakeHeld();
    expect((await decideHeld({ id: 'nope', decision: 'approve' }, deps)).status).toBe(404);
    await decideHeld({ id: ID, decision: 'reject' }, deps);
    const again = await decideHeld({ id: ID, decision: 'approve' }, deps);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      error: 'conflict',
      message: `held action ${ID} was already rejected`,
    });

    const paused = fakeHeld({ blocked: 'the sync is paused; resume it first' });
    const blocked = await decideHeld({ id: ID, decision: 'approve' }, paused.deps);
    expect(blocked.status).toBe(409);
    expect(paused.applied).toEqual([]);
    expect(paused.rows.get(ID)?.status).toBe('held');
  });

  it('routes GET one, the body form and the path form, with 404 for other shapes', async () => {
    const { deps } = fakeHeld();
    const route = (method: string, params: Record<string, string>, bodyText = '') =>
      heldRoute({ method, params, query: new URLSearchParams(), bodyText }, deps);
    const encoded = ID.replace('/', '%2F');
    expect((await route('GET', { id: encoded })).json).toMatchObject({ id: ID, status: 'held' });
    expect((await route('GET', { id: 'nope' })).status).toBe(404);
    expect((await route('GET', { id: ID, decision: 'approve' })).status).toBe(404);
    expect((await route('POST', {}, '{"id":"x","decision":"maybe"}')).status).toBe(400);
    expect((await route('POST', { id: encoded, decision: 'undo' })).status).toBe(404);
    const rejected = await route('POST', { id: encoded, decision: 'reject' }, '{"note":"no"}');
    expect(rejected.json).toMatchObject({ held: { id: ID, status: 'rejected', note: 'no' } });
  });
});
