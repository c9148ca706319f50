import {
  AudienceSchema,
  BooleanSchema,
  CaCertSchema,
  durationSchema,
  enumSchema,
  GuidSchema,
  integerSchema,
  NcrontabSchema,
  numberSchema,
  secretSchema,
  UsernameListSchema,
  urlSchema,
} from './primitives.js';
import { optional, required, withDefault } from './setting.js';
import { StorageClientIdSchema, StorageConnectionStringSchema, StorageCredentialSchema } from './storage.js';
import { SyncMappingSchema } from './syncMapping.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
// Queue messages can stay invisible for at most 7 days.
const MAX_QUEUE_DELAY = 7 * DAY;

/** Every setting of DESIGN §5, in documentation order: environment key → metadata and coercing schema. */
export const SETTINGS = {
  AZURE_TENANT_ID: required(
    'Entra tenant id (GUID); notifications from any other tenant are dropped.',
    GuidSchema,
  ),
  GRAPH_CLIENT_ID: optional(
    'Client id (GUID) of the app registration used for Graph, with `GRAPH_CLIENT_SECRET`. Leave unset to use a managed identity.',
    GuidSchema,
    { conditional: true },
  ),
  GRAPH_CLIENT_SECRET: optional(
    'Client secret of the app registration; required with `GRAPH_CLIENT_ID`, refused without it.',
    secretSchema(),
    { conditional: true, secret: true },
  ),
  AZURE_CLIENT_ID: optional(
    'Client id (GUID) of the user-assigned managed identity used for Graph when `GRAPH_CLIENT_ID` is unset. ' +
      'With neither, the system-assigned managed identity is used.',
    GuidSchema,
  ),
  GRAPH_BASE_URL: withDefault(
    'Microsoft Graph base URL, https only (the emulator locally); no query, no trailing `/v1.0`.',
    'https://graph.microsoft.com',
    urlSchema({ httpsOnly: true, base: true }),
  ),
  GRAPH_AUTHORITY_HOST: withDefault(
    'Entra token authority host, https only (the emulator locally).',
    'https://login.microsoftonline.com',
    urlSchema({ httpsOnly: true, base: true }),
  ),
  NOTIFICATION_URL: required(
    'Public URL of the `graphWebhook` function, normally `https://<app>/api/graph/notifications?code=<key>` ' +
      '(Graph keeps the query string).',
    urlSchema(),
  ),
  LIFECYCLE_NOTIFICATION_URL: optional(
    'Public URL of the `graphLifecycle` function. By default `NOTIFICATION_URL` with the path `/api/graph/lifecycle` ' +
      '(same host and query, so the key must be a host key); required when `NOTIFICATION_URL` has another path.',
    urlSchema(),
    { derivedDefault: 'from `NOTIFICATION_URL`' },
  ),
  GRAPH_CLIENT_STATE: required(
    'Shared secret (1-128 characters) sent with every subscription and checked on every notification.',
    secretSchema(128),
    { secret: true },
  ),
  GRAPH_CLIENT_STATE_PREVIOUS: optional(
    'The former `GRAPH_CLIENT_STATE`, still accepted while subscriptions are recreated during a rotation.',
    secretSchema(128),
    { secret: true },
  ),
  GOGS_URL: required(
    'Gogs base URL (https; http only on loopback), without `/api/v1`.',
    urlSchema({ base: true }),
  ),
  GOGS_TOKEN: required('Access token of a Gogs site admin; its owner is never managed.', secretSchema(), {
    secret: true,
  }),
  GOGS_LOGIN_SOURCE_ID: withDefault(
    'Gogs authentication source id given to created accounts (0 = local).',
    '0',
    integerSchema(0),
  ),
  GOGS_CONCURRENCY: withDefault(
    'Parallel Gogs requests during a reconcile (1-64).',
    '4',
    integerSchema(1, 64),
  ),
  GOGS_CA_CERT: optional(
    'Extra CA certificate(s) trusted for `GOGS_URL`: a PEM file path, or PEM text (literal `\\n` allowed).',
    CaCertSchema,
  ),
  SYNC_MAPPING: required(
    'JSON mapping of Entra groups to Gogs org teams: `{scope, siteAdminGroup?, teams: [{group, org, team, permission?}], ' +
      'usernameOverrides?}`; see docs/settings.md.',
    SyncMappingSchema,
  ),
  USERNAME_ATTRIBUTE: withDefault(
    'Entra attribute Gogs usernames are derived from: `mailNickname`, `userPrincipalName` or `mail`.',
    'mailNickname',
    enumSchema(['mailNickname', 'userPrincipalName', 'mail']),
  ),
  INCLUDE_GUESTS: withDefault('With scope `allUsers`, also provision guest users.', 'false', BooleanSchema),
  ADOPT_EXISTING: withDefault(
    'Adopt an unmanaged Gogs account whose username and email both match (`usernameAndEmail`), or never (`off`).',
    'off',
    enumSchema(['off', 'usernameAndEmail']),
  ),
  DEPROVISION_MODE: withDefault(
    'What a confirmed hard delete in Entra does: `suspend`, or `delete` the Gogs account after suspending it.',
    'suspend',
    enumSchema(['suspend', 'delete']),
  ),
  UNMANAGED_TEAMS_ON_OFFBOARD: withDefault(
    "A suspended user's memberships of unmanaged teams: `report` them, or `remove` them.",
    'report',
    enumSchema(['report', 'remove']),
  ),
  MAX_DEPROVISION: withDefault(
    'Deprovisioning budget: actions allowed per window before the rest are held (the larger of this and the percentage).',
    '25',
    integerSchema(0),
  ),
  MAX_DEPROVISION_PERCENT: withDefault(
    'Deprovisioning budget as a percentage (0-100) of managed users.',
    '10',
    numberSchema(0, 100),
  ),
  DEPROVISION_WINDOW: withDefault(
    'Sliding window of the deprovisioning budget (1m to 30d).',
    '1h',
    durationSchema(MINUTE, 30 * DAY),
  ),
  PROTECTED_GOGS_USERS: withDefault(
    'Comma-separated Gogs usernames never touched (case-insensitive), besides the token owner.',
    '',
    UsernameListSchema,
  ),
  RECONCILE_SCHEDULE: withDefault(
    'Full reconcile timer (six-field NCRONTAB, UTC).',
    '0 0 3 * * *',
    NcrontabSchema,
  ),
  CATCHUP_SCHEDULE: withDefault(
    'Delta catch-up timer (six-field NCRONTAB, UTC).',
    '0 */10 * * * *',
    NcrontabSchema,
  ),
  RENEW_SCHEDULE: withDefault(
    'Subscription renewal timer (six-field NCRONTAB, UTC).',
    '0 0 */6 * * *',
    NcrontabSchema,
  ),
  REASSERT_SCHEDULE: withDefault(
    'Re-assertion of write-only Gogs fields (six-field NCRONTAB, UTC); weekly by default.',
    '0 0 4 * * 0',
    NcrontabSchema,
  ),
  RECHECK_DELAY: withDefault(
    'Delay of the re-check that follows every handled change (1s to 7d).',
    '60s',
    durationSchema(SECOND, MAX_QUEUE_DELAY),
  ),
  RETRY_BASE: withDefault(
    'Base of the exponential retry delay, capped at 15 min (100ms to 15m).',
    '5s',
    durationSchema(100, 15 * MINUTE),
  ),
  RETRY_HORIZON: withDefault(
    'How long a failing message is retried before it goes to the poison queue (1m to 30d, at least `RETRY_BASE`).',
    '24h',
    durationSchema(MINUTE, 30 * DAY),
  ),
  RECONCILE_FRESHNESS: withDefault(
    'A reconcile stops starting writes once its snapshot is this old (after at least a minute of them) and queues a continuation that reads afresh; a write that still outlives it re-reads its user first (0 to 24h).',
    '2m',
    durationSchema(0, DAY),
  ),
  ADMIN_API_AUDIENCE: optional(
    'When set, the admin API also requires an Entra bearer token with this audience (application id or App ID URI).',
    AudienceSchema,
  ),
  AUDIT_RETENTION_DAYS: withDefault(
    'Immutability retention of the audit blobs, in days (1-146000).',
    '365',
    integerSchema(1, 146_000),
  ),
  DRY_RUN: withDefault('Plan and audit every change but write nothing to Gogs.', 'false', BooleanSchema),
  AzureWebJobsStorage: optional(
    'Storage connection string (`UseDevelopmentStorage=true` locally). Either this or the identity form below, not both.',
    StorageConnectionStringSchema,
    { conditional: true, secret: true },
  ),
  AzureWebJobsStorage__queueServiceUri: optional(
    'Identity form: Queue service URI (required with the other `AzureWebJobsStorage__*` URIs).',
    urlSchema({ base: true }),
    { conditional: true },
  ),
  AzureWebJobsStorage__tableServiceUri: optional(
    'Identity form: Table service URI.',
    urlSchema({ base: true }),
    {
      conditional: true,
    },
  ),
  AzureWebJobsStorage__blobServiceUri: optional(
    'Identity form: Blob service URI (audit blobs).',
    urlSchema({ base: true }),
    {
      conditional: true,
    },
  ),
  AzureWebJobsStorage__credential: optional(
    'Identity form: `managedidentity`; unset uses the default credential chain.',
    StorageCredentialSchema,
  ),
  AzureWebJobsStorage__clientId: optional(
    'Identity form: client id of a user-assigned managed identity (needs `__credential=managedidentity`).',
    StorageClientIdSchema,
  ),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS: readonly SettingKey[] = Object.freeze(Object.keys(SETTINGS) as SettingKey[]);
