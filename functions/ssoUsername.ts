import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { lookupSsoUsername } from '../src/app/http/ssoUsername.js';

/**
 * `GET /api/sso/username?oid=…` for the SSO proxy (DESIGN §3.5, docs/sso.md): function key only,
 * even with ADMIN_API_AUDIENCE set; reads one identities row, never the full App.
 */
export const ssoUsername = adminEndpoint('keyOnly', async ({ request, rt }) =>
  lookupSsoUsername(request.query, request.headers.get('accept'), (oid) => rt.stores.sync.getIdentity(oid)),
);

azf.app.http('ssoUsername', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'sso/username',
  handler: ssoUsername,
});
