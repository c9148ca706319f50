import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/domain/actions.js';
import { userKey } from '../../../src/domain/types.js';
import {
  AuditBlob,
  AuditLog,
  type AuditRecord,
  auditRecordOfOutcome,
  type StorageClients,
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

const DAY = Date.UTC(2026, 10, 26);
const HOUR = 3_600_000;

function aSuspendOutcome(objectId: string): Outcome {
  return {
    action: {
      kind: 'suspendUser',
      objectId,
      username: 'jdoe',
      profile: { email: 'jdoe@contoso.com', fullName: 'J Doe', sourceId: 2, loginName: 'jdoe' },
      alreadySuspended: false,
      reason: 'disabled in Entra',
      snapshotAt: DAY,
      fence: [userKey(objectId)],
    },
    status: 'applied',
    detail: 'removed from 2 teams, 1 key deleted',
    residual: {
      accessTokens: 'possible',
      orgMemberships: [{ org: 'acme', certainty: 'known' }],
      publicRepos: ['jdoe/dotfiles'],
      privateRepos: 'unknown',
      collaborations: 'unknown',
      unmanagedTeams: [],
    },
  };
}

describe('audit records', () => {
  it('derives latency from receivedAt and eventTime', () => {
    const objectId = guid();
    const record = auditRecordOfOutcome(aSuspendOutcome(objectId), {
      cause: { type: 'notification', id: 'msg-1' },
      appliedAt: DAY + 2_500,
      receivedAt: DAY + 1_000,
      eventTime: DAY,
    });

    expect(record).toMatchObject({
      type: 'action',
      kind: 'suspendUser',
      status: 'applied',
      objectId,
      username: 'jdoe',
      cause: { type: 'notification', id: 'msg-1' },
      latencyMs: 1_500,
      eventLatencyMs: 2_500,
      residual: { publicRepos: ['jdoe/dotfiles'] },
    });
  });
});

describe('AuditLog on Azurite', () => {
  it('writes rows per day and finds them by time range and by user', async () => {
    const audit = new AuditLog(clients);
    const [amy, bob] = [guid(), guid()];
    const records: AuditRecord[] = [
      {
        type: 'action',
        kind: 'createUser',
        status: 'applied',
        appliedAt: DAY + HOUR,
        objectId: amy,
        username: 'amy',
      },
      {
        type: 'action',
        kind: 'suspendUser',
        status: 'held',
        appliedAt: DAY + 2 * HOUR,
        objectId: bob,
        username: 'bob',
      },
      {
        type: 'run',
        kind: 'reconcile',
        status: 'succeeded',
        appliedAt: DAY + 3 * HOUR,
        runId: 'r1',
        counts: { applied: 1, held: 1 },
      },
      {
        type: 'action',
        kind: 'addTeamMember',
        status: 'failed',
        appliedAt: DAY + 26 * HOUR,
        objectId: amy,
        username: 'amy',
        target: 'acme/engineering',
        error: { message: 'Gogs 500', retryable: true },
        cause: { type: 'reconcile', id: 'r2' },
      },
    ];

    await audit.write(records);

    const all = await audit.table.query({ from: DAY, to: DAY + 2 * 24 * HOUR });
    expect(all.map(({ id: _id, ...record }) => record)).toEqual(records);
    expect(all.map((entry) => entry.id)).toEqual([...all.map((entry) => entry.id)].sort());
    const firstDay = await audit.table.query({ from: DAY + HOUR + 1, to: DAY + 3 * HOUR });
    expect(firstDay.map((entry) => entry.kind)).toEqual(['suspendUser', 'reconcile']);
    const ofAmy = await audit.table.query({ from: DAY, to: DAY + 2 * 24 * HOUR, objectId: amy });
    expect(ofAmy.map((entry) => entry.kind)).toEqual(['createUser', 'addTeamMember']);
    const newest = await audit.table.query({
      from: DAY,
      to: DAY + 2 * 24 * HOUR,
      newestFirst: true,
      limit: 2,
    });
    expect(newest.map((entry) => entry.kind)).toEqual(['addTeamMember', 'reconcile']);
    expect(await audit.table.query({ from: DAY, to: DAY + 2 * 24 * HOUR, username: 'bob' })).toHaveLength(1);
  });

  it('appends JSON lines to one append blob per day, never rewriting it', async () => {
    const own = await freshClients(azurite.connectionString);
    const audit = new AuditLog(own);
    const day = (n: number): AuditRecord => ({
      type: 'event',
      kind: 'heldApproved',
      status: 'done',
      appliedAt: DAY + n * 60_000,
      actor: 'ops',
      detail: `record ${n}`,
    });

    await audit.write([day(1)]);
    await audit.write([day(2), day(3)]);
    await new AuditLog(own).write([day(4)]); // another instance (cold start) appends to the same file
    await audit.write([{ ...day(5), appliedAt: DAY + 25 * HOUR }]);

    expect(AuditBlob.blobName('2026-11-26')).toBe('2026/11/26.jsonl');
    const blob = own.container('audit').getBlobClient('2026/11/26.jsonl');
    const properties = await blob.getProperties();
    expect(properties.blobType).toBe('AppendBlob');
    expect(properties.blobCommittedBlockCount).toBe(3);
    const lines = (await blob.downloadToBuffer()).toString('utf8').trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual([day(1), day(2), day(3), day(4)]);
    expect(await audit.blob.read('2026-11-27')).toEqual([{ ...day(5), appliedAt: DAY + 25 * HOUR }]);
    expect(await audit.blob.read('2026-11-28')).toEqual([]);
  });

  it('writes a large batch in several transactions', async () => {
    const audit = new AuditLog(await freshClients(azurite.connectionString));
    const records: AuditRecord[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'action',
      kind: 'addTeamMember',
      status: 'applied',
      appliedAt: DAY + 10 * HOUR + i,
      residual: { note: 'y'.repeat(20_000) },
    }));

    await audit.write(records);

    const rows = await audit.table.query({ from: DAY, to: DAY + 11 * HOUR });
    expect(rows.map((row) => row.appliedAt)).toEqual(records.map((record) => record.appliedAt));
    expect(await audit.blob.read('2026-11-26')).toHaveLength(250);
  });

  it('keeps an oversized detail within a row', async () => {
    const audit = new AuditLog(clients);
    const objectId = guid();

    await audit.write([
      {
        type: 'action',
        kind: 'updateUser',
        status: 'failed',
        appliedAt: DAY + 5 * HOUR,
        objectId,
        detail: 'x'.repeat(40_000),
      },
    ]);

    const [entry] = await audit.table.query({ from: DAY, to: DAY + 6 * HOUR, objectId });
    expect(entry?.detail?.length).toBeLessThan(31_000);
  });
});
