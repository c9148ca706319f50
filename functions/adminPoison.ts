import azf from '@azure/functions';
import { adminEndpoint, byMethod } from '../src/app/http/adminEndpoint.js';
import { actOnPoison, actOnPoisonBody, listPoison, type PoisonDeps } from '../src/app/http/poisonAdmin.js';

/** `GET /api/poison`; `POST /api/poison/retry` `{ids?}`, `POST /api/poison/purge`, or `POST /api/poison` `{action, ids?}`. */
export const adminPoison = adminEndpoint(byMethod, async ({ request, rt, by, now }) => {
  const { queue, audit } = (await rt.app()).stores;
  const deps: PoisonDeps = {
    list: (limit) => queue.listPoison(limit),
    redrive: (ids, at) => queue.redrivePoison(ids, at),
    purge: () => queue.purgePoison(),
    depth: () => queue.depth(),
    audit: (records) => audit.write(records),
    now,
    by,
  };
  if (request.method === 'GET') return listPoison(request.query, deps);
  const action = request.params.action;
  const text = await request.text();
  return action ? actOnPoison(action, text, deps) : actOnPoisonBody(text, deps);
});

azf.app.http('adminPoison', {
  methods: ['GET', 'POST'],
  authLevel: 'function',
  route: 'poison/{action?}',
  handler: adminPoison,
});
