import {
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { GraphCredential } from '../config/index.js';

/** The credential forms: the two the settings produce, plus the developer's default chain (az login, …). */
export type GraphCredentialSetting =
  | GraphCredential
  | { readonly kind: 'default'; readonly clientId?: string };

export interface GraphCredentialInput {
  tenantId: string;
  authorityHost: string;
  credential: GraphCredentialSetting;
}

// Microsoft's own authority hosts (public and sovereign clouds), where instance discovery works.
const MICROSOFT_AUTHORITY_HOSTS: ReadonlySet<string> = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.microsoftonline.de',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
]);

/**
 * MSAL asks login.microsoftonline.com to validate any other authority, which fails offline after
 * about 5 s (spec/tooling.md §5): skip discovery for the emulator or any host not Microsoft's.
 */
export function needsInstanceDiscoveryOff(authorityHost: string): boolean {
  return !MICROSOFT_AUTHORITY_HOSTS.has(new URL(authorityHost).hostname.toLowerCase());
}

/**
 * The Graph token credential from the settings: an app registration's client secret (authority
 * from `GRAPH_AUTHORITY_HOST`), a managed identity (`AZURE_CLIENT_ID` picks a user-assigned one),
 * or `DefaultAzureCredential` for local use. `caPem` trusts an extra CA on the authority (the emulator).
 */
export function createGraphCredential(
  input: GraphCredentialInput,
  options: { caPem?: string } = {},
): TokenCredential {
  const tls = options.caPem ? { tlsOptions: { ca: options.caPem } } : {};
  const { credential } = input;
  switch (credential.kind) {
    case 'clientSecret':
      return new ClientSecretCredential(
        input.tenantId,
        credential.clientId,
        credential.clientSecret.reveal(),
        {
          authorityHost: input.authorityHost,
          disableInstanceDiscovery: needsInstanceDiscoveryOff(input.authorityHost),
          ...tls,
        },
      );
    case 'managedIdentity':
      return credential.clientId
        ? new ManagedIdentityCredential({ clientId: credential.clientId, ...tls })
        : new ManagedIdentityCredential({ ...tls });
    case 'default':
      return new DefaultAzureCredential({
        tenantId: input.tenantId,
        authorityHost: input.authorityHost,
        disableInstanceDiscovery: needsInstanceDiscoveryOff(input.authorityHost),
        ...(credential.clientId ? { managedIdentityClientId: credential.clientId } : {}),
        ...tls,
      });
  }
}
