import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { queryAudit } from '../src/app/http/auditQuery.js';

/** `GET /api/audit?since&until&user&limit&order&format=json|csv` (DESIGN §1.5). */
export const adminAudit = adminEndpoint('read', async ({ request, rt, now }) => {
  const { audit } = (await rt.app()).stores;
  return queryAudit(request.query, { query: (q) => audit.table.query(q), now });
});

azf.app.http('adminAudit', { methods: ['GET'], authLevel: 'function', route: 'audit', handler: adminAudit });
