import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../dev/start.js';
import { directoryAdmin, eventually, freePort } from '../../e2e/support.js';
import { cli, localMode, remoteArgs, secretsOf } from './cliHarness.js';

// Engineering members of the demo tenant (dev/demoTenant.json): Lee, Lynne, Megan.
const LEAVERS = [
  '00000007-d000-4000-8000-000000000007',
  '00000008-d000-4000-8000-000000000008',
  '00000009-d000-4000-8000-000000000009',
];

interface HeldList {
  count: number;
  held: { id: string; status: string; because: string; action: { kind: string; username?: string } }[];
}

let stack: LocalStack;
let mode: ReturnType<typeof localMode>;
const outputs: string[] = [];

const local = async (...argv: string[]) => {
  const result = await cli([...argv, ...mode.args], mode.env);
  outputs.push(result.stdout, result.stderr);
  return result;
};
const remote = async (...argv: string[]) => {
  const result = await cli([...argv, ...remoteArgs(stack)], {});
  outputs.push(result.stdout, result.stderr);
  return result;
};

beforeAll(async () => {
  // A budget of one deprovisioning action per hour: the second leaver trips the guard.
  stack = await startLocalStack({
    port: await freePort(),
    hostLog: () => undefined,
    settings: { MAX_DEPROVISION: '1', MAX_DEPROVISION_PERCENT: '0' },
  });
  mode = localMode(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('held actions through the CLI', () => {
  it('trips the guard when several users are disabled in Entra; approve locally, reject remotely', async () => {
    const graph = await directoryAdmin(stack.ready);
    for (const id of LEAVERS) await graph('PATCH', `/users/${id}`, { accountEnabled: false });

    const held = await eventually(
      'held actions',
      async () => {
        const list = (await local('held', 'list', '--json')).json<HeldList>();
        return list.count >= 2 ? list : undefined;
      },
      60_000,
    );
    expect(held.held.every((h) => h.status === 'held')).toBe(true);
    expect(held.held.map((h) => h.action.kind)).toEqual(expect.arrayContaining(['suspendUser']));

    const status = await local('status');
    expect(status.code).toBe(3);
    expect(status.stdout).toMatch(/^guard\s+tripped: \d+ held/m);
    expect((await remote('status', '--json')).code).toBe(3);
    const table = await remote('held', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^id\s+status\s+held at\s+because/);

    const [first, second] = held.held;
    const approved = await local('held', 'approve', first?.id ?? '', '--note', 'real leaver', '--json');
    expect(approved.code).toBe(0);
    expect(approved.json()).toMatchObject({
      held: { status: 'approved' },
      outcome: { status: expect.stringMatching(/applied|superseded/) },
    });

    const rejected = await remote('held', 'reject', second?.id ?? '', '--note', 'mistake');
    expect(rejected.code).toBe(0);
    expect(rejected.stdout).toMatch(/ rejected$/m);
    const again = await remote('held', 'reject', second?.id ?? '');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already rejected/);

    const all = (await remote('held', 'list', '--status', 'all', '--json')).json<HeldList>();
    expect(all.held.find((h) => h.id === first?.id)?.status).toBe('approved');
    expect(all.held.find((h) => h.id === second?.id)?.status).toBe('rejected');

    const audit = (await local('audit', '--format', 'json', '--since', '1h')).json<{
      records: { kind: string; actor?: string }[];
    }>();
    expect(audit.records.some((r) => r.actor === 'cli:local')).toBe(true);
  });

  it('apply exits 3 while the budget holds what it planned', async () => {
    const result = await local('apply', '--json');
    expect(result.code).toBe(3);
    expect(result.json()).toMatchObject({ counts: { held: expect.any(Number) } });
  });

  it('never prints a secret', () => {
    const all = outputs.join('\n');
    for (const secret of secretsOf(stack)) expect(all).not.toContain(secret);
  });
});
