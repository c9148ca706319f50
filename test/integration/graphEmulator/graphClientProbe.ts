// Run in a child process with NODE_EXTRA_CA_CERTS: the Graph client uses global fetch, which only
// trusts extra CAs given at process start (spec/tooling.md §5).
import { ClientSecretCredential } from '@azure/identity';
import { Client, PageIterator } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';

const { EM_URL = '', EM_TENANT = '', EM_CLIENT = '', EM_SECRET = '' } = process.env;
const credential = new ClientSecretCredential(EM_TENANT, EM_CLIENT, EM_SECRET, {
  authorityHost: EM_URL,
  disableInstanceDiscovery: true,
});
const client = Client.initWithMiddleware({
  authProvider: new TokenCredentialAuthenticationProvider(credential, {
    scopes: ['https://graph.microsoft.com/.default'],
  }),
  baseUrl: EM_URL,
  customHosts: new Set(['localhost']),
});

const ids: string[] = [];
const first = await client.api('/users').select('id,accountEnabled').top(2).get();
const iterator = new PageIterator(client, first, (u: { id: string }) => {
  ids.push(u.id);
  return true;
});
await iterator.iterate();
const members = await client
  .api('/groups/aaaaaaaa-0000-4000-8000-000000000001/transitiveMembers/microsoft.graph.user')
  .select('id')
  .get();
let denied = '';
try {
  await client.api('/users').post({ displayName: 'x' });
} catch (err) {
  denied = `${(err as { statusCode?: number }).statusCode} ${(err as { code?: string }).code}`;
}
process.stdout.write(
  `${JSON.stringify({ users: ids.length, transitiveUsers: members.value.length, denied })}\n`,
);
