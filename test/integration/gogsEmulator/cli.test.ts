import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const repoRoot = new URL('../../../', import.meta.url);

function runCli(args: string[]): ChildProcess {
  // Own process group, so the whole npx → tsx → node chain can be signalled together.
  return spawn('npx', ['tsx', 'emulators/gogs/main.ts', ...args], {
    cwd: repoRoot,
    detached: true,
    stdio: 'pipe',
  });
}

async function firstLine(child: ChildProcess): Promise<string> {
  if (!child.stdout) throw new Error('no stdout');
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return line;
}

describe('emulator CLI (DESIGN §6)', () => {
  it('prints one ready line and answers GET /api/v1/user with the given token; exits cleanly on SIGTERM', async () => {
    const token = '0123456789abcdef0123456789abcdef01234567';
    const child = runCli(['--port', '0', '--admin-token', token]);
    try {
      const line = await firstLine(child);
      expect(line).toMatch(/^ready \{.*\}$/);
      const ready = JSON.parse(line.slice('ready '.length)) as { url: string; adminToken: string };
      expect(ready.adminToken).toBe(token);
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${ready.url}/api/v1/user`, { headers: { authorization: `token ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ username: 'root', email: 'root@example.com' });
    } finally {
      const exited = once(child, 'exit');
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      const [code, signal] = await exited;
      expect(code === 0 || signal === 'SIGTERM').toBe(true);
    }
  });

  it('generates a 40-hex admin token when none is given', async () => {
    const child = runCli(['--port', '0']);
    try {
      const ready = JSON.parse((await firstLine(child)).slice('ready '.length)) as { adminToken: string };
      expect(ready.adminToken).toMatch(/^[0-9a-f]{40}$/);
    } finally {
      const exited = once(child, 'exit');
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('exits with code 2 and one stderr line on bad arguments', async () => {
    const child = runCli(['--port', 'nope']);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('--port');
  });
});
