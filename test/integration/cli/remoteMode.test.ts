import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../dev/start.js';
import { freePort, teamMembers } from '../../e2e/support.js';
import { cli, remoteArgs, secretsOf } from './cliHarness.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'entra-gogs-sync.mjs');
const LYNNE = '00000008-d000-4000-8000-000000000008';
const MIRIAM = '0000000a-d000-4000-8000-00000000000a';

async function gogsAdmin(method: string, path: string) {
  const response = await fetch(`${stack.ready.gogs}/api/v1${path}`, {
    method,
    headers: { authorization: `token ${stack.ready.gogsAdminToken}` },
  });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status}`);
  return response.status === 204 ? undefined : ((await response.json()) as unknown);
}

async function engineeringTeamId(): Promise<number> {
  const teams = (await gogsAdmin('GET', '/orgs/contoso/teams')) as { id: number; name: string }[];
  return teams.find((t) => t.name === 'engineering')?.id ?? -1;
}

let stack: LocalStack;
let remote: string[];
const outputs: string[] = [];

const run = async (...argv: string[]) => {
  const result = await cli([...argv, ...remote], {});
  outputs.push(result.stdout, result.stderr);
  return result;
};

beforeAll(async () => {
  stack = await startLocalStack({ port: await freePort(), hostLog: () => undefined });
  remote = remoteArgs(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface PlanJson {
  count: number;
  actions: { id: string; kind: string; username?: string }[];
}

describe('the CLI with --remote, through the admin API only', () => {
  it('status and doctor answer from the app', async () => {
    const status = await run('status', '--json');
    expect(status.code).toBe(0);
    expect(status.json()).toMatchObject({
      guard: { state: 'ok' },
      runs: { reconcile: { lastSucceeded: expect.anything() } },
    });

    const doctor = await run('doctor', '--json');
    const checks = doctor.json<{ checks: { name: string; status: string }[] }>().checks;
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doctor.code).toBe(0);
    expect(checks.map((c) => c.name)).toEqual(
      expect.arrayContaining(['graph token', 'gogs admin', 'notification url']),
    );
  });

  it('plan is empty after the start-up reconcile; drift made in Gogs shows in plan, apply repairs it', async () => {
    expect((await run('plan', '--json')).json<PlanJson>()).toMatchObject({ count: 0 });

    // The app's worker defers every job while paused: plan and apply say so (exit 3).
    expect((await run('pause', '--reason', 'cli test', '--json')).json()).toMatchObject({ paused: true });
    const paused = await run('plan');
    expect(paused.code).toBe(3);
    expect(paused.stderr).toMatch(/^error: the sync is paused by functionKey \(cli test\)/);
    expect((await run('apply')).code).toBe(3);
    expect((await run('resume')).stdout.trim()).toBe('running');

    // Drift no notification reports: Miriam taken out of the team in Gogs itself.
    await gogsAdmin('DELETE', `/admin/teams/${await engineeringTeamId()}/members/miriam`);
    const plan = (await run('plan', '--json')).json<PlanJson>();
    expect(plan.actions.map((a) => a.id)).toEqual([`addTeamMember:contoso/engineering:${MIRIAM}`]);
    expect((await run('apply', '--limit', '1')).code).toBe(2);
    const applied = await run('apply', '--json');
    expect(applied.code).toBe(0);
    expect(applied.json()).toMatchObject({ status: 'succeeded', counts: { applied: 1 } });
    expect(await teamMembers(stack.ready, 'contoso', 'engineering')).toContain('miriam');
    expect((await run('plan')).stdout).toContain('nothing to do');
  });

  it('sync-user resolves a UPN through the app and follows the outcome in the audit', async () => {
    const result = await run('sync-user', 'lynne@contoso.com', '--wait', '2', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ objectId: LYNNE });
  });

  it('audit as csv and json, report access and unmanaged, identities export', async () => {
    const csvRun = await run('audit', '--format', 'csv', '--since', '1h');
    expect(csvRun.code).toBe(0);
    const [header, ...rows] = csvRun.stdout.trim().split(/\r?\n/);
    expect(header?.split(',')).toEqual(expect.arrayContaining(['kind', 'status']));
    expect(rows.length).toBeGreaterThan(5);
    const audit = await run('audit', '--format', 'json', '--user', 'miriam');
    expect(audit.json<{ records: { kind: string }[] }>().records.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['createUser', 'addTeamMember']),
    );
    expect((await run('audit', '--format', 'xml')).code).toBe(2);

    const access = await run('report', 'access', '--json');
    const users = access.json<{ users: { username: string; teams: string[]; siteAdmin: boolean | null }[] }>()
      .users;
    expect(users.find((u) => u.username === 'miriam')?.teams).toEqual(['contoso/engineering']);
    expect(users.find((u) => u.username === 'adele')?.siteAdmin).toBe(true);
    expect((await run('report', 'unmanaged', '--json')).json()).toMatchObject({ count: 0 });

    const ids = await run('identities', 'export', '--format', 'csv');
    expect(ids.stdout.split(/\r?\n/)[0]).toBe('objectId,username,status,admin,active,adopted');
    expect((await run('identities', 'import', 'x.json')).code).toBe(2);
  });

  it('held, poison and subscriptions', async () => {
    expect((await run('held', 'list', '--json')).json()).toMatchObject({ count: 0 });
    const unknown = await run('held', 'approve', 'removeTeamMember:contoso/engineering:nobody');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: approving .* failed: no held action/);

    expect((await run('poison', 'list', '--json')).json()).toMatchObject({ depth: 0 });
    expect((await run('poison', 'retry')).code).toBe(0);
    expect((await run('poison', 'purge')).code).toBe(0);

    const subs = await run('subscriptions', 'list', '--json');
    expect(subs.json<{ subscriptions: unknown[] }>().subscriptions).toHaveLength(2);
    const ensure = await run('subscriptions', 'ensure', '--json');
    expect(ensure.code).toBe(0);
    expect(ensure.json()).toMatchObject({ kind: 'renew', status: 'succeeded' });
  });

  it('runs as a child process with plain node on the built file', async () => {
    const exec = promisify(execFile);
    const { stdout } = await exec(process.execPath, [BIN, 'status', '--json', ...remote]);
    expect(JSON.parse(stdout)).toMatchObject({ guard: { state: 'ok' } });
    const help = await exec(process.execPath, [BIN, '--help']);
    expect(help.stdout).toMatch(/^usage: entra-gogs-sync <command>/);
    const failed = await exec(process.execPath, [BIN, 'status', '--remote', 'http://127.0.0.1:9']).catch(
      (e) => e as { code: number; stderr: string },
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr.trim().split('\n')).toHaveLength(1);
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });

  it('never prints a secret', () => {
    const all = outputs.join('\n');
    for (const secret of [...secretsOf(stack), 'local-host-key']) expect(all).not.toContain(secret);
  });
});
