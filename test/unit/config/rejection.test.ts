import { describe, expect, it } from 'vitest';
import { type SettingKey, safeLoadConfig, settingsCatalog } from '../../../src/config/index.js';
import { APP, anEnv } from './anEnv.js';

type Case = readonly [key: SettingKey, overrides: Record<string, string | undefined>, reason: string];

const STORAGE_QUEUE = 'AzureWebJobsStorage__queueServiceUri';
const identityForm = {
  AzureWebJobsStorage: undefined,
  [STORAGE_QUEUE]: 'https://acct.queue.core.windows.net',
  AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.windows.net',
  AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net',
};

// At least one bad value per setting; a test below keeps this list complete.
const CASES: readonly Case[] = [
  ['AZURE_TENANT_ID', { AZURE_TENANT_ID: undefined }, 'is required'],
  ['AZURE_TENANT_ID', { AZURE_TENANT_ID: 'contoso.onmicrosoft.com' }, 'must be a GUID'],
  ['GRAPH_CLIENT_ID', { GRAPH_CLIENT_ID: '1234' }, 'must be a GUID'],
  ['GRAPH_CLIENT_SECRET', { GRAPH_CLIENT_ID: undefined }, 'is set but GRAPH_CLIENT_ID is not'],
  [
    'AZURE_CLIENT_ID',
    { GRAPH_CLIENT_ID: undefined, GRAPH_CLIENT_SECRET: undefined, AZURE_CLIENT_ID: 'mi' },
    'must be a GUID',
  ],
  ['GRAPH_BASE_URL', { GRAPH_BASE_URL: 'http://localhost:7443' }, 'must use https'],
  ['GRAPH_BASE_URL', { GRAPH_BASE_URL: 'graph.microsoft.com' }, 'must be an absolute URL'],
  ['GRAPH_BASE_URL', { GRAPH_BASE_URL: 'https://graph.microsoft.com/?x=1' }, 'must not contain a query'],
  ['GRAPH_AUTHORITY_HOST', { GRAPH_AUTHORITY_HOST: 'http://127.0.0.1:7443' }, 'must use https'],
  ['NOTIFICATION_URL', { NOTIFICATION_URL: undefined }, 'is required'],
  [
    'NOTIFICATION_URL',
    { NOTIFICATION_URL: 'http://sync.example.com/api/graph/notifications' },
    'http only on 127.0.0.1',
  ],
  [
    'NOTIFICATION_URL',
    { NOTIFICATION_URL: 'ftp://127.0.0.1/api/graph/notifications' },
    'must be an https URL',
  ],
  [
    'NOTIFICATION_URL',
    { NOTIFICATION_URL: 'https://u:p@sync.example.com/api/graph/notifications' },
    'user name or password',
  ],
  [
    'NOTIFICATION_URL',
    { NOTIFICATION_URL: 'https://sync.example.com/api/graph/notifications#x' },
    'fragment',
  ],
  [
    'LIFECYCLE_NOTIFICATION_URL',
    { LIFECYCLE_NOTIFICATION_URL: 'http://10.0.0.1/api/graph/lifecycle' },
    'must use https',
  ],
  ['GRAPH_CLIENT_STATE', { GRAPH_CLIENT_STATE: undefined }, 'is required'],
  ['GRAPH_CLIENT_STATE', { GRAPH_CLIENT_STATE: 'x'.repeat(129) }, 'at most 128 characters'],
  ['GRAPH_CLIENT_STATE_PREVIOUS', { GRAPH_CLIENT_STATE_PREVIOUS: 'x'.repeat(129) }, 'at most 128 characters'],
  ['GOGS_URL', { GOGS_URL: 'http://git.example.com' }, 'http only on 127.0.0.1'],
  ['GOGS_URL', { GOGS_URL: 'https://git.example.com/?token=1' }, 'must not contain a query'],
  ['GOGS_TOKEN', { GOGS_TOKEN: ' ' }, 'is required'],
  ['GOGS_LOGIN_SOURCE_ID', { GOGS_LOGIN_SOURCE_ID: '-1' }, 'must be a whole number >= 0'],
  ['GOGS_CONCURRENCY', { GOGS_CONCURRENCY: '0' }, 'must be a whole number from 1 to 64'],
  ['GOGS_CONCURRENCY', { GOGS_CONCURRENCY: '65' }, 'must be a whole number from 1 to 64'],
  ['GOGS_CONCURRENCY', { GOGS_CONCURRENCY: '2.5' }, 'must be a whole number from 1 to 64'],
  ['GOGS_CA_CERT', { GOGS_CA_CERT: '-----BEGIN CERTIFICATE-----\\nMIIB' }, 'no complete BEGIN/END'],
  ['SYNC_MAPPING', { SYNC_MAPPING: undefined }, 'is required'],
  ['SYNC_MAPPING', { SYNC_MAPPING: '{"scope":' }, 'is not valid JSON'],
  [
    'USERNAME_ATTRIBUTE',
    { USERNAME_ATTRIBUTE: 'displayName' },
    'must be one of mailNickname, userPrincipalName, mail',
  ],
  ['INCLUDE_GUESTS', { INCLUDE_GUESTS: 'yes' }, 'must be true, false, 1 or 0'],
  ['ADOPT_EXISTING', { ADOPT_EXISTING: 'username' }, 'must be one of off, usernameAndEmail'],
  ['DEPROVISION_MODE', { DEPROVISION_MODE: 'disable' }, 'must be one of suspend, delete'],
  ['UNMANAGED_TEAMS_ON_OFFBOARD', { UNMANAGED_TEAMS_ON_OFFBOARD: 'ignore' }, 'must be one of report, remove'],
  ['MAX_DEPROVISION', { MAX_DEPROVISION: 'many' }, 'must be a whole number >= 0'],
  ['MAX_DEPROVISION_PERCENT', { MAX_DEPROVISION_PERCENT: '101' }, 'must be a number from 0 to 100'],
  ['MAX_DEPROVISION_PERCENT', { MAX_DEPROVISION_PERCENT: '10%' }, 'must be a number from 0 to 100'],
  ['MAX_DEPROVISION_PERCENT', { MAX_DEPROVISION_PERCENT: '-1' }, 'must be a number from 0 to 100'],
  ['DEPROVISION_WINDOW', { DEPROVISION_WINDOW: '30s' }, 'must be from 1m to 30d'],
  ['DEPROVISION_WINDOW', { DEPROVISION_WINDOW: 'an hour' }, 'is not a duration'],
  [
    'PROTECTED_GOGS_USERS',
    { PROTECTED_GOGS_USERS: 'root,bad name' },
    'entry 2: may contain only ASCII letters',
  ],
  ['RECONCILE_SCHEDULE', { RECONCILE_SCHEDULE: '0 3 * * *' }, 'NCRONTAB needs six fields'],
  ['CATCHUP_SCHEDULE', { CATCHUP_SCHEDULE: '0 */10 * * * * *' }, 'NCRONTAB needs six fields'],
  ['RENEW_SCHEDULE', { RENEW_SCHEDULE: '0 0 */0 * * *' }, 'must be a whole number >= 1'],
  ['REASSERT_SCHEDULE', { REASSERT_SCHEDULE: '0 0 4 * * 8' }, 'day-of-week field "8": 8 is outside 0-6'],
  ['RECHECK_DELAY', { RECHECK_DELAY: '8d' }, 'must be from 1s to 7d'],
  ['RETRY_BASE', { RETRY_BASE: '1h' }, 'must be from 100ms to 15m'],
  ['RETRY_HORIZON', { RETRY_HORIZON: 'forever' }, 'is not a duration'],
  ['RETRY_HORIZON', { RETRY_BASE: '10m', RETRY_HORIZON: '5m' }, 'must be at least RETRY_BASE'],
  ['RECONCILE_FRESHNESS', { RECONCILE_FRESHNESS: '25h' }, 'must be from 0ms to 1d'],
  [
    'ADMIN_API_AUDIENCE',
    { ADMIN_API_AUDIENCE: 'my app' },
    'must be an application id (GUID) or an App ID URI',
  ],
  ['AUDIT_RETENTION_DAYS', { AUDIT_RETENTION_DAYS: '0' }, 'must be a whole number from 1 to 146000'],
  ['DRY_RUN', { DRY_RUN: 'on' }, 'must be true, false, 1 or 0'],
  [
    'AzureWebJobsStorage',
    { AzureWebJobsStorage: undefined },
    'is required: a connection string, or the identity form',
  ],
  [
    'AzureWebJobsStorage',
    { AzureWebJobsStorage: 'UseDevelopmentStorage=false' },
    'UseDevelopmentStorage must be true',
  ],
  [
    STORAGE_QUEUE,
    { ...identityForm, [STORAGE_QUEUE]: 'http://acct.queue.core.windows.net' },
    'must use https',
  ],
  [STORAGE_QUEUE, { ...identityForm, [STORAGE_QUEUE]: undefined }, 'is required by the identity form'],
  [
    'AzureWebJobsStorage__tableServiceUri',
    { ...identityForm, AzureWebJobsStorage__tableServiceUri: 'acct.table' },
    'must be an absolute URL',
  ],
  [
    'AzureWebJobsStorage__blobServiceUri',
    { ...identityForm, AzureWebJobsStorage__blobServiceUri: 'https://acct.blob.core.windows.net/?sv=1' },
    'must not contain a query',
  ],
  [
    'AzureWebJobsStorage__credential',
    { ...identityForm, AzureWebJobsStorage__credential: 'secret' },
    'managedidentity',
  ],
  [
    'AzureWebJobsStorage__clientId',
    {
      ...identityForm,
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: 'abc',
    },
    'must be the GUID',
  ],
  [
    'AzureWebJobsStorage__clientId',
    { ...identityForm, AzureWebJobsStorage__clientId: APP },
    'needs AzureWebJobsStorage__credential',
  ],
];

describe('every setting rejects bad values with a clear message', () => {
  it.each(CASES.map(([key, overrides, reason]) => [key, reason, overrides] as const))(
    '%s: %s',
    (key, reason, overrides) => {
      const result = safeLoadConfig(anEnv(overrides));

      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.issues).toEqual([
        { key, path: key, message: expect.stringContaining(reason) },
      ]);
    },
  );

  it('has a case for every setting of the catalog', () => {
    const covered = new Set(CASES.map(([key]) => key));

    expect(settingsCatalog.map((entry) => entry.key).filter((key) => !covered.has(key))).toEqual([]);
  });
});
