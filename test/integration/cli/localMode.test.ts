import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../dev/start.js';
import { main } from '../../../src/cli/main.js';
import { freePort, gogsUser, teamMembers } from '../../e2e/support.js';
import { cli, localMode, secretsOf } from './cliHarness.js';

// The demo tenant (dev/demoTenant.json): Engineering (with Contractors nested) feeds
// contoso/engineering, Platform Admins are site admins.
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'entra-gogs-sync.mjs');
const PATTI = '0000000c-d000-4000-8000-00000000000c';
let stack: LocalStack;
let mode: ReturnType<typeof localMode>;
const outputs: string[] = [];

const run = async (...argv: string[]) => {
  const result = await cli([...argv, ...mode.args], mode.env);
  outputs.push(result.stdout, result.stderr);
  return result;
};

beforeAll(async () => {
  stack = await startLocalStack({ port: await freePort(), reconcile: false, hostLog: () => undefined });
  mode = localMode(stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface PlanJson {
  count: number;
  actions: { id: string; kind: string; username?: string; reason: string }[];
  findings: { kind: string }[];
}

describe('the CLI in local mode, on the demo tenant', () => {
  it('plan before the first reconcile lists the creates and the memberships, and writes nothing', async () => {
    const result = await run('plan', '--json');
    expect(result.code).toBe(0);
    const plan = result.json<PlanJson>();
    const kinds = new Set(plan.actions.map((a) => a.kind));
    expect([...kinds]).toEqual(
      expect.arrayContaining(['createOrg', 'createTeam', 'createUser', 'addTeamMember', 'setSiteAdmin']),
    );
    expect(plan.actions.filter((a) => a.kind === 'createUser').map((a) => a.username)).toEqual(
      expect.arrayContaining(['adele', 'miriam', 'nestor']),
    );
    expect(plan.actions.find((a) => a.kind === 'addTeamMember' && a.username === 'miriam')?.id).toContain(
      'contoso/engineering',
    );
    expect(plan.actions.every((a) => a.reason.length > 0)).toBe(true);
    expect(await gogsUser(stack.ready, 'adele')).toBeUndefined();

    const human = await run('plan');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/createUser\s+adele/);
    expect(human.stdout).toMatch(/\d+ actions: /);
  });

  it('apply --limit stages the rollout, apply finishes it, and then plan is empty', async () => {
    const staged = await run('apply', '--limit', '2', '--json');
    expect(staged.code).toBe(0);
    expect(staged.json()).toMatchObject({ attempted: 2, counts: { applied: 2 } });

    const rest = await run('apply');
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/^progress \d+\/\d+ applied=/m);
    expect(rest.stdout).toMatch(/run \S+: \d+ applied, 0 held, 0 failed/);
    expect(await teamMembers(stack.ready, 'contoso', 'engineering')).toEqual(
      expect.arrayContaining(['miriam', 'nestor']),
    );
    expect(await gogsUser(stack.ready, 'adele')).toMatchObject({ isAdmin: true, active: true });

    const after = await run('plan', '--json');
    expect(after.json<PlanJson>()).toMatchObject({ count: 0, actions: [] });
    expect((await run('plan')).stdout).toContain('nothing to do');
  });

  it('apply draws a progress bar on a terminal', async () => {
    let stdout = '';
    const code = await main(['apply', ...mode.args], {
      stdout: {
        isTTY: true,
        write: (text: string) => {
          stdout += text;
        },
      },
      stderr: { write: () => undefined },
      env: mode.env,
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\r\[#{30}\] 0\/0\n/);
    expect(stdout).not.toContain('progress ');
  });

  it('status reads the state; exit 0 with the guard ok', async () => {
    const result = await run('status', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ guard: { state: 'ok' } });
    expect((await run('status')).stdout).toMatch(/^guard\s+ok/m);
  });

  it('doctor passes on the local stack, every check on its own line', async () => {
    const result = await run('doctor', '--json');
    const body = result.json<{ ok: boolean; checks: { name: string; status: string }[] }>();
    expect(body.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(result.code).toBe(0);
    expect(body.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'settings',
        'graph token',
        'gogs admin',
        'gogs version',
        'subscriptions',
        'notification url',
      ]),
    );
    expect(body.checks.find((c) => c.name === 'gogs version')).toMatchObject({ status: 'warn' });
    const human = await run('doctor');
    expect(human.stdout).toMatch(/^ok\s+graph token\s+roles .*User\.Read\.All/m);
  });

  it('doctor fails with a wrong Gogs token, with a fix line and exit 1', async () => {
    const result = await cli(['doctor', ...mode.args], { ...mode.env, GOGS_TOKEN: 'not-the-token' });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail\s+gogs admin\s+Gogs refused the token \(401\)/m);
    expect(result.stdout).toMatch(/fix: set GOGS_TOKEN/);
    expect(result.stdout).not.toContain('not-the-token');
  });

  it('doctor reports every bad setting', async () => {
    const result = await cli(['doctor', ...mode.args], {
      ...mode.env,
      GOGS_URL: 'ftp://x',
      SYNC_MAPPING: '{',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fail\s+settings\s+GOGS_URL/m);
    expect(result.stdout).toMatch(/^fail\s+settings\s+SYNC_MAPPING/m);
  });

  it('sync-user by UPN plans and applies for that one user', async () => {
    const result = await run('sync-user', 'megan@contoso.com', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ objectId: '00000009-d000-4000-8000-000000000009' });
    const unknown = await run('sync-user', 'nobody@contoso.com');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: looking up nobody@contoso.com failed: no user/);
  });

  it('audit --format csv parses, with a header and one row per record', async () => {
    const result = await run('audit', '--format', 'csv', '--since', '1h');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split(/\r?\n/);
    const header = (lines[0] ?? '').split(',');
    expect(header).toEqual(expect.arrayContaining(['kind', 'status']));
    expect(lines.length).toBeGreaterThan(5);
    const kindAt = header.indexOf('kind');
    expect(lines.slice(1).some((line) => line.split(',')[kindAt] === 'createUser')).toBe(true);
    const json = await run('audit', '--format', 'json', '--user', 'adele');
    expect(
      json.json<{ records: { username?: string }[] }>().records.every((r) => r.username === 'adele'),
    ).toBe(true);
  });

  it('report access lists managed users with their teams; report unmanaged lists only foreign accounts', async () => {
    const result = await run('report', 'access', '--format', 'csv');
    expect(result.code).toBe(0);
    const [header, ...rows] = result.stdout.trim().split(/\r?\n/);
    expect(header).toBe('objectId,username,status,siteAdmin,active,teams');
    const miriam = rows.find((row) => row.split(',')[1] === 'miriam');
    expect(miriam?.split(',')[5]).toBe('contoso/engineering');
    const adele = rows.find((row) => row.split(',')[1] === 'adele');
    expect(adele?.split(',')[3]).toBe('true');

    const unmanaged = await run('report', 'unmanaged', '--json');
    expect(unmanaged.code).toBe(0);
    expect(
      unmanaged.json<{ accounts: { username: string }[] }>().accounts.map((a) => a.username),
    ).not.toContain('root');
  });

  it('identities export, import and link', async () => {
    const exported = await run('identities', 'export');
    const body = exported.json<{ count: number; identities: { objectId: string; username: string }[] }>();
    expect(body.count).toBeGreaterThan(3);
    const file = join(mkdtempSync(join(tmpdir(), 'cli-ids-')), 'identities.json');
    writeFileSync(file, exported.stdout);
    const reimport = await run('identities', 'import', file, '--json');
    expect(reimport.code).toBe(0);
    expect(reimport.json()).toMatchObject({ added: 0, unchanged: body.count, conflicts: [] });

    const conflicting = await run('identities', 'link', body.identities[0]?.objectId ?? '', 'someone-else');
    expect(conflicting.code).toBe(1);
    expect(conflicting.stderr).toMatch(/already linked/);

    // A local account made by hand is unmanaged until linked to its Entra user (Patti, out of scope).
    const made = await fetch(`${stack.ready.gogs}/api/v1/admin/users`, {
      method: 'POST',
      headers: { authorization: `token ${stack.ready.gogsAdminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'pfernandez',
        email: 'patti@contoso.com',
        password: 'x-Long-enough-1',
        send_notify: false,
      }),
    });
    expect(made.status).toBe(201);
    const before = await run('report', 'unmanaged', '--json');
    expect(before.json<{ accounts: { username: string }[] }>().accounts.map((a) => a.username)).toEqual([
      'pfernandez',
    ]);
    const linked = await run('identities', 'link', PATTI, 'pfernandez');
    expect(linked.code).toBe(0);
    const after = await run('report', 'unmanaged', '--json');
    expect(after.json()).toMatchObject({ count: 0 });
    const remote = await cli(['identities', 'link', '--remote', 'http://127.0.0.1:9', PATTI, 'pfernandez']);
    expect(remote.code).toBe(2);
    expect(remote.stderr).toMatch(/local mode/);
  });

  it('subscriptions list and ensure; pause and resume; poison list', async () => {
    const list = await run('subscriptions', 'list', '--json');
    expect(
      list
        .json<{ subscriptions: { resource: string }[] }>()
        .subscriptions.map((s) => s.resource)
        .sort(),
    ).toEqual(['/groups', '/users']);
    const ensure = await run('subscriptions', 'ensure');
    expect(ensure.code).toBe(0);
    expect(ensure.stdout).toMatch(/subscriptions ensure: run \S+ succeeded/);

    expect((await run('pause', '--reason', 'maintenance', '--json')).json()).toMatchObject({
      paused: true,
      reason: 'maintenance',
    });
    expect((await run('status', '--json')).json()).toMatchObject({ paused: { paused: true } });
    expect((await run('resume')).stdout.trim()).toBe('running');

    const poison = await run('poison', 'list', '--json');
    expect(poison.code).toBe(0);
    expect(poison.json()).toMatchObject({ depth: 0 });
  });

  it('usage errors exit 2 with one line; --help works for every command', async () => {
    const bad = await run('plan', '--nope');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: plan: /);
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['held', 'approve'])).code).toBe(2);
    for (const name of [
      'doctor',
      'plan',
      'apply',
      'status',
      'sync-user',
      'held',
      'poison',
      'pause',
      'resume',
      'audit',
      'report',
      'identities',
      'subscriptions',
    ]) {
      const help = await cli([name, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^usage: entra-gogs-sync ${name}`));
    }
  });

  it('runs as a child process with plain node, local settings from a local.settings.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-settings-'));
    const { NODE_EXTRA_CA_CERTS: _ca, ...values } = stack.env;
    writeFileSync(join(dir, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: values }));
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [BIN, 'status', '--json', '--settings', 'local.settings.json', '--graph-ca', stack.ready.caCert],
      { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 30_000 },
    );
    expect(JSON.parse(stdout)).toMatchObject({ guard: { state: 'ok' } });
    outputs.push(stdout, stderr);
  });

  it('never prints a secret', () => {
    const all = outputs.join('\n');
    for (const secret of secretsOf(stack)) expect(all).not.toContain(secret);
  });
});
