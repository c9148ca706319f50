import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { buildStatus } from '../src/app/http/status.js';
import { statusSources } from '../src/app/http/statusSources.js';

/** `GET /api/status` (DESIGN §6): health, guard, queues, runs, residual access, webhook alarms, watchdog. */
export const adminStatus = adminEndpoint('read', async ({ rt, now }) => {
  await rt.app(); // storage exists before the watchdog may enqueue
  return buildStatus(statusSources(rt, now));
});

azf.app.http('adminStatus', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'status',
  handler: adminStatus,
});
