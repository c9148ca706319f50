import azf from '@azure/functions';
import { adminEndpoint, byMethod } from '../src/app/http/adminEndpoint.js';
import { apiError } from '../src/app/http/apiResult.js';
import { QueuedRuns } from '../src/app/http/queuedRuns.js';
import { listSubscriptions, requestSubscriptions } from '../src/app/http/subscriptionRequests.js';

/** `GET /api/subscriptions`; `POST /api/subscriptions/ensure|rotate` → 202 `{runId}` (DESIGN §3.4). */
export const adminSubscriptions = adminEndpoint(byMethod, async ({ request, rt, by, now }) => {
  const app = await rt.app();
  const action = request.params.action;
  if (request.method === 'GET') {
    return action
      ? apiError(404, 'notFound', 'GET /api/subscriptions takes no action')
      : listSubscriptions(await app.stores.subscriptions.list(), now);
  }
  return requestSubscriptions(action ?? '', {
    runs: new QueuedRuns(app.stores.clients.table('runs')),
    enqueue: (message) => app.stores.queue.enqueue(message),
    previousClientStateSet: app.config.graph.previousClientState !== undefined,
    now,
    by,
  });
});

azf.app.http('adminSubscriptions', {
  methods: ['GET', 'POST'],
  authLevel: 'function',
  route: 'subscriptions/{action?}',
  handler: adminSubscriptions,
});
