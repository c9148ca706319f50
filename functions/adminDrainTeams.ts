import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { requestDrain } from '../src/app/http/drainRequest.js';
import { QueuedRuns } from '../src/app/http/queuedRuns.js';

/** `POST /api/teams/drain` `{teams, dryRun?}` → 202 `{runId}`: drain formerly managed teams (DESIGN §5). */
export const adminDrainTeams = adminEndpoint('admin', async ({ request, rt, by, now }) => {
  const app = await rt.app();
  return requestDrain(await request.text(), {
    runs: new QueuedRuns(app.stores.clients.table('runs')),
    enqueue: (message) => app.stores.queue.enqueue(message),
    now,
    by,
  });
});

azf.app.http('adminDrainTeams', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'teams/drain',
  handler: adminDrainTeams,
});
