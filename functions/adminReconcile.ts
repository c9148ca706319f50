import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { QueuedRuns } from '../src/app/http/queuedRuns.js';
import { requestReconcile } from '../src/app/http/reconcileRequest.js';

/** `POST /api/reconcile` `{dryRun?}` → 202 `{runId}`; the worker runs it (DESIGN §3.3). */
export const adminReconcile = adminEndpoint('admin', async ({ request, rt, by, now }) => {
  const app = await rt.app();
  return requestReconcile(await request.text(), {
    runs: new QueuedRuns(app.stores.clients.table('runs')),
    enqueue: (message) => app.stores.queue.enqueue(message),
    now,
    by,
  });
});

azf.app.http('adminReconcile', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'reconcile',
  handler: adminReconcile,
});
