import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GraphEmulatorHandle, startGraphEmulator } from '../../../emulators/graph/index.js';

const run = promisify(execFile);
let em: GraphEmulatorHandle;
beforeAll(async () => {
  em = await startGraphEmulator();
});
afterAll(() => em.close());

describe('@microsoft/microsoft-graph-client against the emulator', () => {
  it('pages users with PageIterator, reads nested members and gets a Graph error object on 403', async () => {
    const probe = fileURLToPath(new URL('./graphClientProbe.ts', import.meta.url));

    const { stdout } = await run(process.execPath, ['--import', 'tsx', probe], {
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: em.caCert,
        EM_URL: em.url,
        EM_TENANT: em.tenantId,
        EM_CLIENT: em.clientId,
        EM_SECRET: em.clientSecret,
      },
    });

    expect(JSON.parse(stdout)).toEqual({
      users: 6,
      transitiveUsers: 3,
      denied: '403 Authorization_RequestDenied',
    });
  });
});
