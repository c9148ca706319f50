import azf from '@azure/functions';
import { buildReport } from '../src/app/http/accessReports.js';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { reportSources } from '../src/app/http/reportSources.js';

/** `GET /api/reports/access|unmanaged`: the access review and the unmanaged accounts (CLI `report`). */
export const adminReports = adminEndpoint('read', async ({ request, rt, now }) =>
  buildReport(request.params.name ?? '', reportSources(await rt.app(), now)),
);

azf.app.http('adminReports', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'reports/{name}',
  handler: adminReports,
});
