import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../../src/domain/actions.js';
import { userKey } from '../../../src/domain/types.js';
import {
  HeldActionError,
  IdentityConflictError,
  LeaseBusyError,
  type StorageClients,
  TableStateStore,
} from '../../../src/state/index.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { eventually, freshClients, guid } from './storeFixture.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function aSuspension(objectId: string): Action {
  return {
    kind: 'suspendUser',
    objectId,
    username: 'jdoe',
    profile: { email: 'jdoe@contoso.com', fullName: 'J Doe', sourceId: 2, loginName: 'jdoe@contoso.com' },
    alreadySuspended: false,
    reason: 'disabled in Entra',
    snapshotAt: 5_000,
    fence: [userKey(objectId)],
  };
}

describe('TableStateStore on Azurite', () => {
  let clients: StorageClients;
  beforeAll(async () => {
    clients = await freshClients(azurite.connectionString);
  });

  it('keeps identities across store instances (another worker reads what one wrote)', async () => {
    const objectId = guid();
    await new TableStateStore(clients).putIdentity({
      objectId,
      username: 'amy',
      status: 'active',
      written: {},
    });

    expect(await new TableStateStore(clients).getIdentity(objectId)).toEqual({
      objectId,
      username: 'amy',
      status: 'active',
      written: {},
    });
  });

  it('refuses a new username with a typed, non-retryable error', async () => {
    const store = new TableStateStore(clients);
    const objectId = guid();
    await store.putIdentity({ objectId, username: 'bob', status: 'active', written: {} });

    const error = await store
      .putIdentity({ objectId, username: 'robert', status: 'active', written: {} })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(IdentityConflictError);
    expect(error).toMatchObject({ retryable: false, existing: 'bob', requested: 'robert' });
  });

  it('keeps a lease exclusive while work outlasts the lease time (renewal)', async () => {
    const key = userKey(guid());
    const first = new TableStateStore(clients, { lease: { leaseMs: 600 } });
    const second = new TableStateStore(clients, { lease: { leaseMs: 600, maxWaitMs: 10_000 } });
    let firstEnded = 0;
    let secondStarted = 0;

    await Promise.all([
      first.withLease(key, async () => {
        await sleep(1_500);
        firstEnded = Date.now();
      }),
      sleep(100).then(() =>
        second.withLease(key, async () => {
          secondStarted = Date.now();
        }),
      ),
    ]);

    expect(secondStarted).toBeGreaterThanOrEqual(firstEnded);
  });

  it('gives up on a busy lease with a retryable LeaseBusyError', async () => {
    const key = userKey(guid());
    const holder = new TableStateStore(clients, { lease: { leaseMs: 5_000 } });
    const waiter = new TableStateStore(clients, { lease: { maxWaitMs: 300 } });
    let release!: () => void;
    const held = holder.withLease(key, () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(50);

    const error = await waiter.withLease(key, async () => 'never').catch((e: unknown) => e);
    release();
    await held;

    expect(error).toBeInstanceOf(LeaseBusyError);
    expect(error).toMatchObject({ retryable: true, key });
  });

  it("takes over a crashed holder's lease once it expires", async () => {
    const key = userKey(guid());
    const expiresAt = Date.now() + 400;
    await clients
      .table('leases')
      .createEntity({ partitionKey: 'lease', rowKey: key, owner: 'crashed-worker', name: key, expiresAt });
    const store = new TableStateStore(clients, { lease: { maxWaitMs: 5_000 } });

    const startedAt = await store.withLease(key, async () => Date.now());

    expect(startedAt).toBeGreaterThanOrEqual(expiresAt);
    const expired = userKey(guid());
    await clients.table('leases').createEntity({
      partitionKey: 'lease',
      rowKey: expired,
      owner: 'crashed-worker',
      name: expired,
      expiresAt: Date.now() - 1,
    });
    expect(await store.withLease(expired, async () => 'taken over')).toBe('taken over');
  });

  it('signals the work when its lease is taken from it', async () => {
    const key = userKey(guid());
    const store = new TableStateStore(clients, { lease: { leaseMs: 300 } });

    const aborted = await store.withLease(key, async (signal?: AbortSignal) => {
      // Someone else writes the row: the next renewal finds a different ETag.
      await clients
        .table('leases')
        .upsertEntity(
          { partitionKey: 'lease', rowKey: key, owner: 'intruder', name: key, expiresAt: 0 },
          'Replace',
        );
      return eventually(async () => (signal?.aborted ? true : undefined), 3_000, 20);
    });

    expect(aborted).toBe(true);
    const row = await clients.table('leases').getEntity<{ owner: string }>('lease', key);
    expect(row.owner).toBe('intruder');
  });

  it('lists, approves and rejects held actions, each decided once', async () => {
    const store = new TableStateStore(await freshClients(azurite.connectionString));
    const [a, b] = [guid(), guid()];
    await store.hold({
      id: `suspendUser:${a}`,
      action: aSuspension(a),
      heldAt: 2,
      because: 'budget',
      cause: 'run-1',
    });
    await store.hold({
      id: `suspendUser:${b}`,
      action: aSuspension(b),
      heldAt: 1,
      because: 'suspectRead',
      cause: 'msg-9',
    });

    expect((await store.listHeld({ status: 'held' })).map((h) => h.id)).toEqual([
      `suspendUser:${b}`,
      `suspendUser:${a}`,
    ]);

    const approved = await store.approveHeld(
      `suspendUser:${a}`,
      'operator@contoso.com',
      10,
      'confirmed leaver',
    );
    const rejected = await store.rejectHeld(`suspendUser:${b}`, 'operator@contoso.com', 11);

    expect(approved.action).toEqual(aSuspension(a));
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'operator@contoso.com', decidedAt: 10 });
    expect(rejected).toMatchObject({ status: 'rejected', decidedAt: 11 });
    expect(await store.listHeld({ status: 'held' })).toEqual([]);
    expect((await store.listHeld()).map((h) => h.status)).toEqual(['rejected', 'approved']);
    await expect(store.approveHeld(`suspendUser:${a}`, 'other', 12)).rejects.toBeInstanceOf(HeldActionError);
    await expect(store.rejectHeld('suspendUser:missing', 'other', 12)).rejects.toBeInstanceOf(
      HeldActionError,
    );
  });

  it('lets only one of two concurrent approvals win', async () => {
    const store = new TableStateStore(clients);
    const id = `suspendUser:${guid()}`;
    await store.hold({ id, action: aSuspension(guid()), heldAt: 1, because: 'budget', cause: 'run-2' });

    const results = await Promise.allSettled([
      store.approveHeld(id, 'ann', 5),
      store.approveHeld(id, 'ben', 5),
    ]);

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('stores keys with characters Table storage forbids', async () => {
    const store = new TableStateStore(clients);
    const key = 'group:a/b#c?d\\e%f' as const;

    await store.markEvent(key, 7);

    expect(await store.lastEventAt(key)).toBe(7);
  });
});
