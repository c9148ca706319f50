import { z } from 'zod';
import { httpUrlProblem, isGuid } from './primitives.js';
import { Secret } from './secret.js';

/** What `src/state` builds its Queue, Table and Blob clients from. */
export type StorageConfig =
  | {
      readonly kind: 'connectionString';
      /** Holds an account key unless it is the development string. */
      readonly connectionString: Secret;
      readonly development: boolean;
    }
  | {
      readonly kind: 'identity';
      readonly queueServiceUri: string;
      readonly tableServiceUri: string;
      readonly blobServiceUri: string;
      /** `managedIdentity` with `__credential=managedidentity`; otherwise the default credential chain. */
      readonly credential: 'managedIdentity' | 'default';
      /** A user-assigned identity's client id; absent for the system-assigned one. */
      readonly clientId?: string;
    };

export const STORAGE_CONNECTION_KEY = 'AzureWebJobsStorage';
export const STORAGE_IDENTITY_KEYS = {
  queueServiceUri: 'AzureWebJobsStorage__queueServiceUri',
  tableServiceUri: 'AzureWebJobsStorage__tableServiceUri',
  blobServiceUri: 'AzureWebJobsStorage__blobServiceUri',
  credential: 'AzureWebJobsStorage__credential',
  clientId: 'AzureWebJobsStorage__clientId',
} as const;
export const STORAGE_SERVICE_URI_KEYS = [
  STORAGE_IDENTITY_KEYS.queueServiceUri,
  STORAGE_IDENTITY_KEYS.tableServiceUri,
  STORAGE_IDENTITY_KEYS.blobServiceUri,
] as const;

const KNOWN_PARTS = new Map(
  [
    'DefaultEndpointsProtocol',
    'AccountName',
    'AccountKey',
    'SharedAccessSignature',
    'EndpointSuffix',
    'BlobEndpoint',
    'QueueEndpoint',
    'TableEndpoint',
    'FileEndpoint',
    'UseDevelopmentStorage',
    'DevelopmentStorageProxyUri',
  ].map((name) => [name.toLowerCase(), name]),
);
const ENDPOINTS = ['BlobEndpoint', 'QueueEndpoint', 'TableEndpoint', 'FileEndpoint'];

/** Returns why a storage connection string is unusable, naming parts but never their values. */
export function connectionStringProblem(text: string): string | undefined {
  const parts = new Map<string, string>();
  for (const [index, segment] of text.split(';').entries()) {
    if (segment.trim() === '') continue;
    const equals = segment.indexOf('=');
    if (equals <= 0) return `part ${index + 1} is not Name=value`;
    const name = KNOWN_PARTS.get(segment.slice(0, equals).trim().toLowerCase());
    if (!name)
      return `part ${index + 1} has an unknown name (expected ${[...KNOWN_PARTS.values()].join(', ')})`;
    if (parts.has(name)) return `${name} appears twice`;
    parts.set(name, segment.slice(equals + 1).trim());
  }
  if (parts.has('UseDevelopmentStorage')) {
    if (parts.get('UseDevelopmentStorage')?.toLowerCase() !== 'true')
      return 'UseDevelopmentStorage must be true';
    return undefined;
  }
  if (!parts.get('AccountName')) return 'AccountName is missing';
  if (!parts.get('AccountKey') && !parts.get('SharedAccessSignature')) {
    return 'AccountKey (or SharedAccessSignature) is missing';
  }
  const protocol = (parts.get('DefaultEndpointsProtocol') ?? 'https').toLowerCase();
  if (protocol !== 'https' && protocol !== 'http') return 'DefaultEndpointsProtocol must be https or http';
  const endpoints = ENDPOINTS.filter((name) => parts.has(name));
  for (const name of endpoints) {
    const problem = httpUrlProblem(parts.get(name) ?? '');
    if (typeof problem === 'string') return `${name} ${problem}`;
  }
  if (protocol === 'http' && endpoints.length === 0) {
    return 'DefaultEndpointsProtocol=http needs explicit loopback endpoints (QueueEndpoint, TableEndpoint, BlobEndpoint)';
  }
  return undefined;
}

export const StorageConnectionStringSchema = z.string().transform((raw, ctx) => {
  const text = raw.trim();
  const problem = connectionStringProblem(text);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `is not a storage connection string: ${problem}` });
    return z.NEVER;
  }
  return { connectionString: new Secret(text), development: /usedevelopmentstorage=true/i.test(text) };
});

export const StorageCredentialSchema = z.string().transform((raw, ctx) => {
  if (raw.trim().toLowerCase() === 'managedidentity') return 'managedIdentity' as const;
  ctx.addIssue({
    code: 'custom',
    message: 'must be managedidentity (or unset for the default credential chain)',
  });
  return z.NEVER;
});

export const StorageClientIdSchema = z.string().transform((raw, ctx) => {
  if (isGuid(raw.trim())) return raw.trim().toLowerCase();
  ctx.addIssue({ code: 'custom', message: 'must be the GUID client id of a user-assigned managed identity' });
  return z.NEVER;
});
