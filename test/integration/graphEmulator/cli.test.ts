import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

describe('npm run emulator:graph', () => {
  it('prints one ready line with url, tenantId, clientId, clientSecret and caCert', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'emulators/graph/main.ts',
        '--port',
        '0',
        '--tenant-id',
        't-1',
        '--client-id',
        'c-1',
        '--client-secret',
        's-1',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });

      expect(line).toMatch(/^ready \{/);
      const ready = JSON.parse(line.slice('ready '.length));
      expect(ready).toMatchObject({
        tenantId: 't-1',
        clientId: 'c-1',
        clientSecret: 's-1',
        url: expect.stringMatching(/^https:\/\/localhost:\d+$/),
      });
      const status = await new Promise<number>((resolve, reject) => {
        request(
          `${ready.url}/t-1/v2.0/.well-known/openid-configuration`,
          { ca: readFileSync(ready.caCert) },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end();
      });
      expect(status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
