import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { listIdentities } from '../src/app/http/identitiesList.js';

/** `GET /api/identities?status=…`: object id → username, status, last written hidden fields (for the CLI). */
export const adminIdentities = adminEndpoint('read', async ({ request, rt }) => {
  const { sync } = (await rt.app()).stores;
  return listIdentities(request.query, await sync.listIdentities());
});

azf.app.http('adminIdentities', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'identities',
  handler: adminIdentities,
});
