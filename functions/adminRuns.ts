import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { listRuns, lookupRun } from '../src/app/http/runLookup.js';

/** `GET /api/runs/{id}` (the run, with the plan of a dry run) and `GET /api/runs?days&kind`. */
export const adminRuns = adminEndpoint('read', async ({ request, rt, now }) => {
  const { runs } = (await rt.app()).stores;
  const deps = {
    get: (id: string) => runs.get(id),
    list: (range: { from: number; to: number }) => runs.list(range),
    now,
  };
  const id = request.params.id;
  return id ? lookupRun(id, deps) : listRuns(request.query, deps);
});

azf.app.http('adminRuns', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'runs/{id?}',
  handler: adminRuns,
});
