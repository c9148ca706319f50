import azf from '@azure/functions';
import { adminEndpoint, byMethod } from '../src/app/http/adminEndpoint.js';
import { heldDeps } from '../src/app/http/heldApply.js';
import { heldRoute } from '../src/app/http/heldRoute.js';

/**
 * `GET /api/held`, `GET /api/held/{id}`; `POST /api/held` `{id, decision, note?}` (canonical: held
 * ids contain `/`) or `POST /api/held/{id}/approve|reject`. An approval applies the action at once.
 */
export const adminHeld = adminEndpoint(byMethod, async ({ request, rt, by, now }) => {
  const deps = heldDeps(await rt.app(), { now, by });
  const { method, params, query } = request;
  return heldRoute(
    { method, params, query, bodyText: request.method === 'GET' ? '' : await request.text() },
    deps,
  );
});

azf.app.http('adminHeld', {
  methods: ['GET', 'POST'],
  authLevel: 'function',
  route: 'held/{id?}/{decision?}',
  handler: adminHeld,
});
