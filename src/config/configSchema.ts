import { z } from 'zod';
import type { Secret } from './secret.js';
import { SETTING_KEYS, SETTINGS, type SettingKey } from './settings.js';
import {
  STORAGE_CONNECTION_KEY,
  STORAGE_IDENTITY_KEYS,
  STORAGE_SERVICE_URI_KEYS,
  type StorageConfig,
} from './storage.js';

type Env = Readonly<Record<string, string | undefined>>;
type Values = { -readonly [K in SettingKey]: z.output<(typeof SETTINGS)[K]['schema']> };

export type GraphCredential =
  | { readonly kind: 'clientSecret'; readonly clientId: string; readonly clientSecret: Secret }
  /** `clientId` names a user-assigned identity; without it the system-assigned identity is used. */
  | { readonly kind: 'managedIdentity'; readonly clientId?: string };

const NOTIFICATIONS_PATH = '/api/graph/notifications';
const LIFECYCLE_PATH = '/api/graph/lifecycle';

const isSet = (env: Env, key: string) => (env[key] ?? '').trim() !== '';

/** Parses every setting on its own, so one run reports every bad key. */
function parseEach(env: Env, ctx: z.RefinementCtx): Partial<Values> {
  const values: Partial<Record<SettingKey, unknown>> = {};
  for (const key of SETTING_KEYS) {
    const result = SETTINGS[key].schema.safeParse(env[key]);
    if (result.success) {
      values[key] = result.data;
      continue;
    }
    for (const issue of result.error.issues) {
      ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message });
    }
  }
  return values as Partial<Values>;
}

function checkCredentials(env: Env, ctx: z.RefinementCtx): void {
  const appId = isSet(env, 'GRAPH_CLIENT_ID');
  if (isSet(env, 'GRAPH_CLIENT_SECRET') && !appId) {
    ctx.addIssue({
      code: 'custom',
      path: ['GRAPH_CLIENT_SECRET'],
      message:
        'is set but GRAPH_CLIENT_ID is not; set both for a client secret, or neither for a managed identity',
    });
  }
  if (appId && !isSet(env, 'GRAPH_CLIENT_SECRET')) {
    ctx.addIssue({
      code: 'custom',
      path: ['GRAPH_CLIENT_ID'],
      message:
        'needs GRAPH_CLIENT_SECRET; for a managed identity unset it (and set AZURE_CLIENT_ID for a user-assigned one)',
    });
  }
  if (appId && isSet(env, 'AZURE_CLIENT_ID')) {
    ctx.addIssue({
      code: 'custom',
      path: ['AZURE_CLIENT_ID'],
      message: 'conflicts with GRAPH_CLIENT_ID; choose the app registration or the managed identity',
    });
  }
}

function checkStorageForm(env: Env, ctx: z.RefinementCtx): void {
  const identityKeys = Object.values(STORAGE_IDENTITY_KEYS).filter((key) => isSet(env, key));
  const add = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: [key], message });
  if (isSet(env, STORAGE_CONNECTION_KEY)) {
    if (identityKeys.length > 0) {
      add(
        STORAGE_CONNECTION_KEY,
        `is set together with ${identityKeys.join(', ')}; use exactly one of the two forms`,
      );
    }
    return;
  }
  if (identityKeys.length === 0) {
    add(
      STORAGE_CONNECTION_KEY,
      `is required: a connection string, or the identity form (${STORAGE_SERVICE_URI_KEYS.join(', ')})`,
    );
    return;
  }
  for (const key of STORAGE_SERVICE_URI_KEYS) {
    if (!isSet(env, key)) add(key, `is required by the identity form (${identityKeys.join(', ')} set)`);
  }
  if (isSet(env, STORAGE_IDENTITY_KEYS.clientId) && !isSet(env, STORAGE_IDENTITY_KEYS.credential)) {
    add(STORAGE_IDENTITY_KEYS.clientId, `needs ${STORAGE_IDENTITY_KEYS.credential}=managedidentity`);
  }
}

/** `…/api/graph/notifications?code=k` → `…/api/graph/lifecycle?code=k`; undefined when the path is another. */
export function deriveLifecycleUrl(notificationUrl: string): string | undefined {
  const url = new URL(notificationUrl);
  if (!url.pathname.endsWith(NOTIFICATIONS_PATH)) return undefined;
  url.pathname = `${url.pathname.slice(0, -NOTIFICATIONS_PATH.length)}${LIFECYCLE_PATH}`;
  return url.href;
}

function crossCheck(values: Partial<Values>, ctx: z.RefinementCtx): void {
  const { NOTIFICATION_URL, LIFECYCLE_NOTIFICATION_URL, RETRY_BASE, RETRY_HORIZON } = values;
  if (NOTIFICATION_URL && !LIFECYCLE_NOTIFICATION_URL && !deriveLifecycleUrl(NOTIFICATION_URL)) {
    ctx.addIssue({
      code: 'custom',
      path: ['LIFECYCLE_NOTIFICATION_URL'],
      message: `is required because NOTIFICATION_URL does not end in ${NOTIFICATIONS_PATH}, so it can't be derived`,
    });
  }
  if (RETRY_BASE !== undefined && RETRY_HORIZON !== undefined && RETRY_HORIZON < RETRY_BASE) {
    ctx.addIssue({ code: 'custom', path: ['RETRY_HORIZON'], message: 'must be at least RETRY_BASE' });
  }
}

function graphCredential(v: Values): GraphCredential {
  if (v.GRAPH_CLIENT_ID && v.GRAPH_CLIENT_SECRET) {
    return { kind: 'clientSecret', clientId: v.GRAPH_CLIENT_ID, clientSecret: v.GRAPH_CLIENT_SECRET };
  }
  return v.AZURE_CLIENT_ID
    ? { kind: 'managedIdentity', clientId: v.AZURE_CLIENT_ID }
    : { kind: 'managedIdentity' };
}

function storage(v: Values): StorageConfig {
  if (v.AzureWebJobsStorage) return { kind: 'connectionString', ...v.AzureWebJobsStorage };
  const credential = v.AzureWebJobsStorage__credential ?? 'default';
  return {
    kind: 'identity',
    queueServiceUri: v.AzureWebJobsStorage__queueServiceUri ?? '',
    tableServiceUri: v.AzureWebJobsStorage__tableServiceUri ?? '',
    blobServiceUri: v.AzureWebJobsStorage__blobServiceUri ?? '',
    credential,
    ...(v.AzureWebJobsStorage__clientId ? { clientId: v.AzureWebJobsStorage__clientId } : {}),
  };
}

function assemble(v: Values) {
  return {
    graph: {
      tenantId: v.AZURE_TENANT_ID,
      credential: graphCredential(v),
      baseUrl: v.GRAPH_BASE_URL,
      authorityHost: v.GRAPH_AUTHORITY_HOST,
      notificationUrl: v.NOTIFICATION_URL,
      lifecycleNotificationUrl: v.LIFECYCLE_NOTIFICATION_URL ?? deriveLifecycleUrl(v.NOTIFICATION_URL) ?? '',
      clientState: v.GRAPH_CLIENT_STATE,
      previousClientState: v.GRAPH_CLIENT_STATE_PREVIOUS,
    },
    gogs: {
      url: v.GOGS_URL,
      token: v.GOGS_TOKEN,
      loginSourceId: v.GOGS_LOGIN_SOURCE_ID,
      concurrency: v.GOGS_CONCURRENCY,
      caCert: v.GOGS_CA_CERT,
    },
    mapping: v.SYNC_MAPPING,
    policy: {
      usernameAttribute: v.USERNAME_ATTRIBUTE,
      includeGuests: v.INCLUDE_GUESTS,
      adoptExisting: v.ADOPT_EXISTING,
      deprovisionMode: v.DEPROVISION_MODE,
      unmanagedTeamsOnOffboard: v.UNMANAGED_TEAMS_ON_OFFBOARD,
      protectedGogsUsers: v.PROTECTED_GOGS_USERS,
      dryRun: v.DRY_RUN,
    },
    budget: {
      maxDeprovision: v.MAX_DEPROVISION,
      maxDeprovisionPercent: v.MAX_DEPROVISION_PERCENT,
      windowMs: v.DEPROVISION_WINDOW,
    },
    /** NCRONTAB expressions, for the timer triggers (`%RECONCILE_SCHEDULE%`) and the watchdog. */
    schedules: {
      reconcile: v.RECONCILE_SCHEDULE,
      catchUp: v.CATCHUP_SCHEDULE,
      renew: v.RENEW_SCHEDULE,
      reassert: v.REASSERT_SCHEDULE,
    },
    timing: {
      recheckDelayMs: v.RECHECK_DELAY,
      retryBaseMs: v.RETRY_BASE,
      retryHorizonMs: v.RETRY_HORIZON,
      reconcileFreshnessMs: v.RECONCILE_FRESHNESS,
    },
    admin: { apiAudience: v.ADMIN_API_AUDIENCE },
    audit: { retentionDays: v.AUDIT_RETENTION_DAYS },
    storage: storage(v),
  };
}

/** The one schema over the environment: raw strings in, the typed `Config` out, every problem reported. */
export const ConfigSchema = z.record(z.string(), z.string().optional()).transform((env, ctx) => {
  const before = ctx.issues.length;
  const values = parseEach(env, ctx);
  checkCredentials(env, ctx);
  checkStorageForm(env, ctx);
  crossCheck(values, ctx);
  return ctx.issues.length > before ? z.NEVER : assemble(values as Values);
});

export type Config = z.infer<typeof ConfigSchema>;
