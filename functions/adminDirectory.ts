import azf from '@azure/functions';
import { adminEndpoint } from '../src/app/http/adminEndpoint.js';
import { lookupDirectoryUser } from '../src/app/http/directoryUserLookup.js';
import { reportSources } from '../src/app/http/reportSources.js';

/** `GET /api/directory/users/{upnOrObjectId}`: a user's object id by UPN (CLI `sync-user <upn>`). */
export const adminDirectory = adminEndpoint('read', async ({ request, rt, now }) => {
  const sources = reportSources(await rt.app(), now);
  return lookupDirectoryUser(request.params.id ?? '', (path) => sources.getUser(path));
});

azf.app.http('adminDirectory', {
  methods: ['GET'],
  authLevel: 'function',
  route: 'directory/users/{id}',
  handler: adminDirectory,
});
