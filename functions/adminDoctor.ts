import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { ok } from '../src/app/http/apiResult.js';
import { runDoctor } from '../src/app/http/doctorChecks.js';

/** `GET /api/doctor`: the CLI's `doctor` checks, run inside the app with its own identity. */
export const adminDoctor = adminEndpoint('read', async ({ now }) =>
  ok({ checks: await runDoctor(process.env, { now }) }),
);

azf.app.http('adminDoctor', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'doctor',
  handler: adminDoctor,
});
