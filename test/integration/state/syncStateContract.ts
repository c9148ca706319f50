import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/domain/actions.js';
import { type IdentityRecord, userKey } from '../../../src/domain/types.js';
import type { HeldAction, SyncState } from '../../../src/sync/ports.js';
import { guid } from './storeFixture.js';

export interface ContractSubject {
  state: SyncState;
  /** What `hold()` stored, in holding order. */
  held(): Promise<HeldAction[]>;
}

function anIdentity(overrides: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    objectId: guid(),
    username: 'jsmith',
    status: 'active',
    written: { active: true, admin: false, sourceId: 2, loginName: 'jsmith@contoso.com' },
    ...overrides,
  };
}

function aRemoval(objectId: string): Action {
  return {
    kind: 'removeTeamMember',
    objectId,
    username: 'jsmith',
    org: 'acme',
    team: 'engineering',
    reason: 'no longer in Engineering',
    snapshotAt: 1_000,
    fence: [userKey(objectId)],
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * The `SyncState` contract, run against `InMemorySyncState` and `TableStateStore` alike: it proves
 * the fake the planner tests use behaves like the real store.
 */
export function syncStateContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`SyncState contract: ${name}`, () => {
    it('round-trips identities and lists them', async () => {
      const { state } = await make();
      const plain = anIdentity();
      const adopted = anIdentity({ username: 'adopted', adopted: true, written: {}, status: 'suspended' });
      const pending = anIdentity({ username: 'reserved', pending: 'reserved', written: {} });

      for (const record of [plain, adopted, pending]) await state.putIdentity(record);

      expect(await state.getIdentity(plain.objectId)).toEqual(plain);
      expect(await state.getIdentity(adopted.objectId)).toEqual(adopted);
      expect(await state.getIdentity(pending.objectId)).toEqual(pending);
      expect(await state.getIdentity(guid())).toBeUndefined();
      const listed = await state.listIdentities();
      expect(listed.sort((a, b) => a.username.localeCompare(b.username))).toEqual([adopted, plain, pending]);
    });

    it('replaces a record as a whole, so cleared fields disappear', async () => {
      const { state } = await make();
      const record = anIdentity({ pending: 'reserved' });
      await state.putIdentity(record);

      const { pending: _pending, ...created } = record;
      await state.putIdentity({ ...created, status: 'suspended' });

      expect(await state.getIdentity(record.objectId)).toEqual({ ...created, status: 'suspended' });
    });

    it('keeps a username forever once the account exists, but lets a reservation change', async () => {
      const { state } = await make();
      const reserved = anIdentity({ username: 'jsmith', pending: 'refused' });
      await state.putIdentity(reserved);
      await state.putIdentity({ ...reserved, username: 'jsmith-2', pending: 'reserved' });
      const { pending: _pending, ...created } = { ...reserved, username: 'jsmith-2' };
      await state.putIdentity(created);

      await expect(state.putIdentity({ ...created, username: 'john' })).rejects.toThrow(/forever/);
      await state.putIdentity({ ...created, status: 'deleted' });

      expect(await state.getIdentity(reserved.objectId)).toMatchObject({
        username: 'jsmith-2',
        status: 'deleted',
      });
    });

    it('keeps the latest event time, whatever order the marks arrive in', async () => {
      const { state } = await make();
      const key = userKey(guid());
      expect(await state.lastEventAt(key)).toBeUndefined();

      await state.markEvent(key, 2_000);
      await state.markEvent(key, 1_000);

      expect(await state.lastEventAt(key)).toBe(2_000);
      expect(await state.lastEventAt(`group:${guid()}`)).toBeUndefined();
    });

    it('keeps the maximum under concurrent writers', async () => {
      const { state } = await make();
      const key = `group:${guid()}` as const;
      const times = Array.from({ length: 12 }, (_, i) => 10_000 + ((i * 7) % 12) * 100);

      await Promise.all(times.map((at) => state.markEvent(key, at)));

      expect(await state.lastEventAt(key)).toBe(Math.max(...times));
    });

    it('never runs two pieces of work on one key at once', async () => {
      const { state } = await make();
      const key = userKey(guid());
      let running = 0;
      let overlaps = 0;
      const work = async () => {
        running++;
        if (running > 1) overlaps++;
        await new Promise((resolve) => setTimeout(resolve, 30));
        running--;
        return 'done';
      };

      const results = await Promise.all([1, 2, 3].map(() => state.withLease(key, work)));

      expect(results).toEqual(['done', 'done', 'done']);
      expect(overlaps).toBe(0);
    });

    it('runs work on different keys in parallel', async () => {
      const { state } = await make();
      const [a, b] = [deferred(), deferred()];

      // Each waits for the other to start: this only finishes if both hold their lease at once.
      await Promise.all([
        state.withLease(userKey(guid()), async () => {
          a.resolve();
          await b.promise;
        }),
        state.withLease(userKey(guid()), async () => {
          b.resolve();
          await a.promise;
        }),
      ]);
    });

    it('releases a lease when the work throws', async () => {
      const { state } = await make();
      const key = userKey(guid());

      await expect(state.withLease(key, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
        'boom',
      );

      expect(await state.withLease(key, async () => 'next')).toBe('next');
    });

    it('grants exactly the limit to concurrent draws', async () => {
      const { state } = await make();

      const grants = await Promise.all(Array.from({ length: 20 }, () => state.drawBudget(50_000, 7, 60_000)));

      expect(grants.filter(Boolean)).toHaveLength(7);
    });

    it('slides the budget window', async () => {
      const { state } = await make();
      expect(await state.drawBudget(1_000, 2, 10_000)).toBe(true);
      expect(await state.drawBudget(5_000, 2, 10_000)).toBe(true);
      expect(await state.drawBudget(9_000, 2, 10_000)).toBe(false);

      // The first draw leaves the window at 11,000; the second at 15,000.
      expect(await state.drawBudget(11_001, 2, 10_000)).toBe(true);
      expect(await state.drawBudget(12_000, 2, 10_000)).toBe(false);
      expect(await state.drawBudget(15_001, 2, 10_000)).toBe(true);
    });

    it('stores held actions with their cause', async () => {
      const subject = await make();
      const objectId = guid();
      const held: HeldAction = {
        id: `removeTeamMember:acme/engineering:${objectId}`,
        action: aRemoval(objectId),
        heldAt: 42_000,
        because: 'budget',
        cause: 'reconcile:run-1',
      };

      await subject.state.hold(held);

      expect(await subject.held()).toEqual([held]);
    });
  });
}
