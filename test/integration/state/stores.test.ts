import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConcurrencyError,
  CursorStore,
  FailureStore,
  GroupSizeStore,
  RunStore,
  SettingsStore,
  type StorageClients,
  type SubscriptionRecord,
  SubscriptionStore,
} from '../../../src/state/index.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { freshClients, guid } from './storeFixture.js';

let azurite: RunningAzurite;
let clients: StorageClients;
beforeAll(async () => {
  azurite = await startAzurite();
  clients = await freshClients(azurite.connectionString);
});
afterAll(async () => {
  await azurite?.stop();
});

const NOV_26 = Date.UTC(2026, 10, 26, 3, 50);

describe('CursorStore', () => {
  it('stores a delta link and refuses a write from a stale read', async () => {
    const cursors = new CursorStore(clients.table('cursors'));
    expect(await cursors.get('users')).toBeUndefined();

    await cursors.put('users', 'https://graph/users/delta?$deltatoken=1', NOV_26);
    const first = await cursors.get('users');
    const etag = await cursors.put(
      'users',
      'https://graph/users/delta?$deltatoken=2',
      NOV_26 + 1,
      first?.etag,
    );

    expect(await cursors.get('users')).toEqual({
      resource: 'users',
      deltaLink: 'https://graph/users/delta?$deltatoken=2',
      updatedAt: NOV_26 + 1,
      etag,
    });
    await expect(cursors.put('users', 'stale', NOV_26 + 2, first?.etag)).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await cursors.remove('users');
    expect(await cursors.get('users')).toBeUndefined();
  });
});

describe('SubscriptionStore', () => {
  it('keeps our subscriptions without their clientState', async () => {
    const subscriptions = new SubscriptionStore(clients.table('subscriptions'));
    const users: SubscriptionRecord = {
      id: guid(),
      resource: 'users',
      changeType: 'updated,deleted',
      expiresAt: NOV_26 + 41_700 * 60_000,
      notificationUrl: 'https://app/api/graph/notifications?code=k',
      lifecycleNotificationUrl: 'https://app/api/graph/lifecycle?code=k',
      clientStateVersion: 'current',
      createdAt: NOV_26,
    };
    const groups: SubscriptionRecord = { ...users, id: guid(), resource: 'groups', renewedAt: NOV_26 + 5 };

    await subscriptions.put(users);
    await subscriptions.put(groups);

    expect(await subscriptions.list()).toEqual([groups, users]);
    expect(await subscriptions.get(users.id)).toEqual(users);
    expect(await subscriptions.forResource('groups')).toEqual([groups]);
    await subscriptions.remove(users.id);
    expect(await subscriptions.list()).toEqual([groups]);
  });
});

describe('RunStore', () => {
  it('records a run from start to finish and remembers the latest of each kind', async () => {
    const runs = new RunStore(clients.table('runs'));
    const id = RunStore.newId(NOV_26);
    expect(id).toMatch(/^20261126T035000000Z-[0-9a-f]{6}$/);

    await runs.start({ id, kind: 'reconcile', startedAt: NOV_26, dryRun: true, requestedBy: 'ops' });
    expect(await runs.get(id)).toMatchObject({ status: 'running', dryRun: true });
    expect(await runs.latest('reconcile')).toBeUndefined();
    const plan = { actions: [{ kind: 'createUser', username: 'amy' }], counts: { createUser: 1 } };
    await runs.finish(id, { status: 'succeeded', finishedAt: NOV_26 + 900, counts: { applied: 0 }, plan });

    const expected = {
      id,
      kind: 'reconcile',
      startedAt: NOV_26,
      finishedAt: NOV_26 + 900,
      status: 'succeeded',
      counts: { applied: 0 },
      dryRun: true,
      requestedBy: 'ops',
      plan,
    };
    expect(await runs.get(id)).toEqual(expected);
    expect(await runs.latest('reconcile')).toEqual(expected);
    // The latest started run shows its finished state, so status never reports a done run as running.
    expect(await runs.latest('reconcile', 'started')).toMatchObject({ id, status: 'succeeded' });
    const newer = RunStore.newId(NOV_26 + 1_000);
    await runs.start({ id: newer, kind: 'reconcile', startedAt: NOV_26 + 1_000 });
    await runs.finish(id, { status: 'failed', finishedAt: NOV_26 + 2_000 });
    expect(await runs.latest('reconcile', 'started')).toMatchObject({ id: newer, status: 'running' });
    await runs.finish(id, { status: 'succeeded', finishedAt: NOV_26 + 900, counts: { applied: 0 }, plan });
    expect(await runs.list({ from: NOV_26 - 1, to: NOV_26 + 1 })).toEqual([expected]);
    expect(await runs.get('not-a-run')).toBeUndefined();
  });

  it('keeps a failed run out of the latest succeeded, and shrinks an oversized plan', async () => {
    const runs = new RunStore(clients.table('runs'));
    const id = RunStore.newId(NOV_26 + 60_000);
    await runs.start({ id, kind: 'catchUp', startedAt: NOV_26 + 60_000 });

    const huge = { actions: Array.from({ length: 5_000 }, (_, i) => ({ kind: 'addTeamMember', i })) };
    await runs.finish(id, { status: 'failed', finishedAt: NOV_26 + 61_000, error: 'Graph 503', plan: huge });

    expect(await runs.get(id)).toMatchObject({
      status: 'failed',
      error: 'Graph 503',
      plan: { truncated: true },
    });
    expect(await runs.latest('catchUp')).toBeUndefined();
  });
});

describe('FailureStore', () => {
  it('records permanent failures per object and clears them', async () => {
    const failures = new FailureStore(clients.table('failures'));
    const objectId = guid();
    await failures.record({
      id: `deleteUser:${objectId}`,
      objectId,
      username: 'amy',
      kind: 'deleteUser',
      message: 'Gogs refused the delete: 422',
      at: NOV_26,
      cause: 'reconcile:run-1',
    });
    await failures.record({ id: 'createTeam:acme/x', kind: 'createTeam', message: '422', at: NOV_26 + 1 });

    expect((await failures.list()).map((f) => f.id)).toEqual(['createTeam:acme/x', `deleteUser:${objectId}`]);
    expect(await failures.forObject(objectId)).toMatchObject([{ username: 'amy', kind: 'deleteUser' }]);
    await failures.clear(`deleteUser:${objectId}`);
    expect(await failures.forObject(objectId)).toEqual([]);
  });
});

describe('SettingsStore', () => {
  it('pauses and resumes', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    expect(await settings.pauseState()).toEqual({ paused: false });

    await settings.pause('ops@contoso.com', NOV_26, 'Gogs upgrade');
    expect(await settings.pauseState()).toEqual({
      paused: true,
      at: NOV_26,
      by: 'ops@contoso.com',
      reason: 'Gogs upgrade',
    });
    await settings.resume('ops@contoso.com', NOV_26 + 1);
    expect(await settings.pauseState()).toMatchObject({ paused: false, at: NOV_26 + 1 });
  });

  it('stores named values with optimistic concurrency', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    await settings.set('mappingHash', 'abc');
    const read = await settings.get('mappingHash');
    await settings.set('mappingHash', 'def', read?.etag);

    await expect(settings.set('mappingHash', 'ghi', read?.etag)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await settings.get('mappingHash'))?.value).toBe('def');
  });

  it('keeps a value longer than one table property holds, across parts of the same row', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    const value = { ids: Array.from({ length: 4_000 }, () => guid()) };

    await settings.set('large', value);

    expect((await settings.get('large'))?.value).toEqual(value);
    const row = await clients.table('settings').getEntity<Record<string, unknown>>('setting', 'large');
    const parts = Object.entries(row).filter(([key]) => /^value\d*$/.test(key));
    expect(parts.length).toBe(6);
    for (const [, part] of parts) expect((part as string).length).toBeLessThanOrEqual(30_000);
  });

  it('never cuts a surrogate pair between two parts', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    // The JSON's opening quote, then 29,998 characters: the emoji's two halves straddle the cut.
    const value = `${'x'.repeat(29_998)}🙂y`;

    await settings.set('straddles', value);

    expect((await settings.get('straddles'))?.value).toBe(value);
    const row = await clients.table('settings').getEntity<Record<string, string>>('setting', 'straddles');
    expect(row.value1?.startsWith('🙂')).toBe(true);
  });

  it('drops the parts of a long value when a short one replaces it, and refuses one past the row', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    await settings.set('shrinks', 'x'.repeat(70_000));

    await settings.set('shrinks', 'short');

    expect((await settings.get('shrinks'))?.value).toBe('short');
    const row = await clients.table('settings').getEntity<Record<string, unknown>>('setting', 'shrinks');
    expect(row.value1).toBeUndefined();
    await expect(settings.set('huge', 'x'.repeat(500_000))).rejects.toMatchObject({
      name: 'StateStoreError',
      retryable: false,
    });
  });

  it('reads every value under a name prefix in one query, long ones whole', async () => {
    const settings = new SettingsStore(clients.table('settings'));
    const long = 'y'.repeat(40_000);
    await settings.set('beneath:a', ['g1']);
    await settings.set('beneath:b', long);
    await settings.set('beneath;c', 'next prefix');
    await settings.set('beneathd', 'no colon');

    const found = await settings.getPrefixed('beneath:');

    expect([...found.keys()].sort()).toEqual(['beneath:a', 'beneath:b']);
    expect(found.get('beneath:a')?.value).toEqual(['g1']);
    expect(found.get('beneath:b')?.value).toBe(long);
    // Its ETag guards a write like one from `get`.
    await settings.set('beneath:a', ['g2'], found.get('beneath:a')?.etag);
    expect((await settings.get('beneath:a'))?.value).toEqual(['g2']);
  });
});

describe('GroupSizeStore', () => {
  it('remembers the last member count of each group', async () => {
    const sizes = new GroupSizeStore(clients.table('groupSizes'));
    const [a, b] = [guid(), guid()];
    await sizes.put({ groupId: a, members: 120, at: NOV_26 });
    await sizes.put({ groupId: a, members: 118, at: NOV_26 + 1 });

    expect(await sizes.get(a)).toEqual({ groupId: a, members: 118, at: NOV_26 + 1 });
    expect([...(await sizes.getMany([a, b])).keys()]).toEqual([a]);
  });
});
