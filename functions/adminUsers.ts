import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { requestUserSync } from '../src/app/http/userSyncRequest.js';
import { RunStore } from '../src/state/index.js';

/** `POST /api/users/{objectId}/sync` → 202: re-plan one user now (source `operator`). */
export const adminUsers = adminEndpoint('admin', async ({ request, rt, by, now }) => {
  const app = await rt.app();
  return requestUserSync(request.params.objectId ?? '', {
    newId: (at) => RunStore.newId(at),
    enqueue: (message) => app.stores.queue.enqueue(message),
    now,
    by,
  });
});

azf.app.http('adminUsers', {
  methods: ['POST'],
  authLevel: 'function',
  route: 'users/{objectId}/sync',
  handler: adminUsers,
});
