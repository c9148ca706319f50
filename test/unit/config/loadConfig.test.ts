import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, Secret, safeLoadConfig } from '../../../src/config/index.js';
import { APP, anEnv, GROUP_A, SECRETS, TENANT } from './anEnv.js';

function issuesOf(env: Record<string, string | undefined>) {
  const result = safeLoadConfig(env);
  if (result.ok) throw new Error('expected the configuration to be refused');
  return result.issues;
}

describe('loadConfig defaults', () => {
  it('fills every optional setting from the schema', () => {
    const config = loadConfig(anEnv());

    expect(config.graph).toMatchObject({
      tenantId: TENANT,
      credential: { kind: 'clientSecret', clientId: APP },
      baseUrl: 'https://graph.microsoft.com',
      authorityHost: 'https://login.microsoftonline.com',
      notificationUrl: 'https://sync.example.com/api/graph/notifications?code=fn-key',
      lifecycleNotificationUrl: 'https://sync.example.com/api/graph/lifecycle?code=fn-key',
      previousClientState: undefined,
    });
    expect(config.gogs).toMatchObject({ url: 'https://git.example.com', loginSourceId: 0, concurrency: 4 });
    expect(config.gogs.caCert).toBeUndefined();
    expect(config.policy).toEqual({
      usernameAttribute: 'mailNickname',
      includeGuests: false,
      adoptExisting: 'off',
      deprovisionMode: 'suspend',
      unmanagedTeamsOnOffboard: 'report',
      protectedGogsUsers: new Set(),
      dryRun: false,
    });
    expect(config.budget).toEqual({ maxDeprovision: 25, maxDeprovisionPercent: 10, windowMs: 3_600_000 });
    expect(config.schedules).toEqual({
      reconcile: '0 0 3 * * *',
      catchUp: '0 */10 * * * *',
      renew: '0 0 */6 * * *',
      reassert: '0 0 4 * * 0',
    });
    expect(config.timing).toEqual({
      recheckDelayMs: 60_000,
      retryBaseMs: 5_000,
      retryHorizonMs: 86_400_000,
      reconcileFreshnessMs: 120_000,
    });
    expect(config.admin).toEqual({ apiAudience: undefined });
    expect(config.audit).toEqual({ retentionDays: 365 });
    expect(config.storage).toMatchObject({ kind: 'connectionString', development: true });
  });

  it('treats blank values as unset', () => {
    const config = loadConfig(
      anEnv({ GOGS_CONCURRENCY: '  ', DRY_RUN: '', GRAPH_CLIENT_STATE_PREVIOUS: '' }),
    );

    expect(config.gogs.concurrency).toBe(4);
    expect(config.policy.dryRun).toBe(false);
    expect(config.graph.previousClientState).toBeUndefined();
  });
});

describe('loadConfig coercion', () => {
  it('coerces every kind of value', () => {
    const config = loadConfig(
      anEnv({
        AZURE_TENANT_ID: TENANT.toUpperCase(),
        GRAPH_BASE_URL: 'https://localhost:7443/',
        GOGS_URL: 'http://127.0.0.1:3000/gogs/',
        GOGS_CONCURRENCY: '16',
        GOGS_CA_CERT: '-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----',
        USERNAME_ATTRIBUTE: 'USERPRINCIPALNAME',
        INCLUDE_GUESTS: 'TRUE',
        DRY_RUN: '1',
        MAX_DEPROVISION_PERCENT: '2.5',
        DEPROVISION_WINDOW: '00:30:00',
        PROTECTED_GOGS_USERS: ' Root, svc-backup ,,ci.bot ',
        RECHECK_DELAY: '90000',
        ADMIN_API_AUDIENCE: 'api://entra-gogs-sync',
        GRAPH_CLIENT_STATE_PREVIOUS: 'old-state',
      }),
    );

    expect(config.graph.tenantId).toBe(TENANT);
    expect(config.graph.baseUrl).toBe('https://localhost:7443');
    expect(config.gogs.url).toBe('http://127.0.0.1:3000/gogs');
    expect(config.gogs.concurrency).toBe(16);
    expect(config.gogs.caCert).toEqual({
      kind: 'pem',
      pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    });
    expect(config.policy.usernameAttribute).toBe('userPrincipalName');
    expect(config.policy.includeGuests).toBe(true);
    expect(config.policy.dryRun).toBe(true);
    expect(config.budget.maxDeprovisionPercent).toBe(2.5);
    expect(config.budget.windowMs).toBe(1_800_000);
    expect([...config.policy.protectedGogsUsers]).toEqual(['root', 'svc-backup', 'ci.bot']);
    expect(config.timing.recheckDelayMs).toBe(90_000);
    expect(config.admin.apiAudience).toBe('api://entra-gogs-sync');
    expect(config.graph.previousClientState?.reveal()).toBe('old-state');
  });

  it('trims secrets pasted with a trailing newline', () => {
    expect(loadConfig(anEnv({ GOGS_TOKEN: ' gogs-token\n' })).gogs.token.reveal()).toBe('gogs-token');
  });

  it.each([
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['http://LOCALHOST:3000/', 'http://localhost:3000'],
    ['HTTPS://Git.Example.com/', 'https://git.example.com'],
  ])('accepts GOGS_URL %s', (raw, url) => {
    expect(loadConfig(anEnv({ GOGS_URL: raw })).gogs.url).toBe(url);
  });

  it.each([
    ['.5', 0.5],
    ['0', 0],
    ['100', 100],
  ])('reads MAX_DEPROVISION_PERCENT %s', (raw, value) => {
    expect(loadConfig(anEnv({ MAX_DEPROVISION_PERCENT: raw })).budget.maxDeprovisionPercent).toBe(value);
  });

  it('reads a CA path as a path', () => {
    expect(loadConfig(anEnv({ GOGS_CA_CERT: '/etc/ssl/gogs-ca.pem' })).gogs.caCert).toEqual({
      kind: 'path',
      path: '/etc/ssl/gogs-ca.pem',
    });
  });

  it('wraps every secret', () => {
    const config = loadConfig(anEnv());

    expect(config.graph.clientState).toBeInstanceOf(Secret);
    expect(config.graph.clientState.reveal()).toBe(SECRETS.GRAPH_CLIENT_STATE);
    expect(config.gogs.token.reveal()).toBe(SECRETS.GOGS_TOKEN);
    expect(config.graph.credential).toMatchObject({ clientSecret: expect.any(Secret) });
  });
});

describe('loadConfig lifecycle URL', () => {
  it('keeps an explicit lifecycle URL', () => {
    const config = loadConfig(
      anEnv({ LIFECYCLE_NOTIFICATION_URL: 'https://sync.example.com/api/graph/lifecycle?code=k2' }),
    );

    expect(config.graph.lifecycleNotificationUrl).toBe(
      'https://sync.example.com/api/graph/lifecycle?code=k2',
    );
  });

  it('derives under a path prefix, keeping the port and query', () => {
    const config = loadConfig(
      anEnv({ NOTIFICATION_URL: 'http://localhost:7071/x/api/graph/notifications?code=a&b=c' }),
    );

    expect(config.graph.lifecycleNotificationUrl).toBe(
      'http://localhost:7071/x/api/graph/lifecycle?code=a&b=c',
    );
  });

  it('requires it when NOTIFICATION_URL has another path', () => {
    expect(issuesOf(anEnv({ NOTIFICATION_URL: 'https://sync.example.com/hooks/graph' }))).toEqual([
      {
        key: 'LIFECYCLE_NOTIFICATION_URL',
        path: 'LIFECYCLE_NOTIFICATION_URL',
        message: expect.stringContaining("can't be derived"),
      },
    ]);
  });
});

describe('loadConfig Graph credentials', () => {
  const noApp = { GRAPH_CLIENT_ID: undefined, GRAPH_CLIENT_SECRET: undefined };

  it('uses the user-assigned managed identity named by AZURE_CLIENT_ID', () => {
    const config = loadConfig(anEnv({ ...noApp, AZURE_CLIENT_ID: APP }));

    expect(config.graph.credential).toEqual({ kind: 'managedIdentity', clientId: APP });
  });

  it('falls back to the system-assigned managed identity', () => {
    expect(loadConfig(anEnv(noApp)).graph.credential).toEqual({ kind: 'managedIdentity' });
  });

  it.each([
    [
      'a secret without an id',
      { GRAPH_CLIENT_ID: undefined },
      'GRAPH_CLIENT_SECRET',
      'GRAPH_CLIENT_ID is not',
    ],
    ['an id without a secret', { GRAPH_CLIENT_SECRET: '' }, 'GRAPH_CLIENT_ID', 'needs GRAPH_CLIENT_SECRET'],
    [
      'an app and a managed identity',
      { AZURE_CLIENT_ID: APP },
      'AZURE_CLIENT_ID',
      'conflicts with GRAPH_CLIENT_ID',
    ],
  ])('refuses %s', (_, overrides, key, reason) => {
    expect(issuesOf(anEnv(overrides))).toEqual([
      { key, path: key, message: expect.stringContaining(reason) },
    ]);
  });
});

describe('ConfigError', () => {
  it('reports every bad key at once, one line per problem', () => {
    const env = anEnv({
      AZURE_TENANT_ID: 'not-a-guid',
      GOGS_CONCURRENCY: '100',
      DRY_RUN: 'yes',
      CATCHUP_SCHEDULE: '*/10 * * * *',
      GOGS_URL: undefined,
    });

    const error = (() => {
      try {
        loadConfig(env);
      } catch (caught) {
        return caught;
      }
      throw new Error('expected loadConfig to throw');
    })();

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toBeInstanceOf(Error);
    const configError = error as ConfigError;
    expect(configError.retryable).toBe(false);
    expect(configError.name).toBe('ConfigError');
    expect(configError.issues.map((issue) => issue.key)).toEqual([
      'AZURE_TENANT_ID',
      'GOGS_URL',
      'GOGS_CONCURRENCY',
      'CATCHUP_SCHEDULE',
      'DRY_RUN',
    ]);
    expect(configError.message.split('\n')).toEqual([
      'Invalid configuration (5 problems):',
      'AZURE_TENANT_ID: must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)',
      'GOGS_URL: is required',
      'GOGS_CONCURRENCY: must be a whole number from 1 to 64',
      expect.stringMatching(/^CATCHUP_SCHEDULE: has 5 fields; NCRONTAB needs six fields/),
      'DRY_RUN: must be true, false, 1 or 0',
    ]);
  });

  it('returns the config as a value when every setting is valid', () => {
    const result = safeLoadConfig(anEnv());

    expect(result.ok).toBe(true);
    expect(result.ok && result.config.mapping.teams[0]?.group).toBe(GROUP_A);
  });
});

describe('secrets never leak', () => {
  const secretValues = Object.values(SECRETS);

  it('stays out of JSON and inspect output of the config', () => {
    const config = loadConfig(
      anEnv({ AzureWebJobsStorage: 'AccountName=acct;AccountKey=c2VjcmV0S2V5VkFMVUU=' }),
    );
    const printed = [JSON.stringify(config), inspect(config, { depth: 20 }), String(config.gogs.token)];

    for (const text of printed) {
      for (const value of [...secretValues, 'c2VjcmV0S2V5VkFMVUU=']) expect(text).not.toContain(value);
    }
  });

  it.each([
    ['GRAPH_CLIENT_SECRET', { GRAPH_CLIENT_ID: undefined, GRAPH_CLIENT_SECRET: 'orphan-xyzzy-value' }],
    ['GRAPH_CLIENT_STATE', { GRAPH_CLIENT_STATE: `too-long-xyzzy-${'x'.repeat(200)}` }],
    ['GRAPH_CLIENT_STATE_PREVIOUS', { GRAPH_CLIENT_STATE_PREVIOUS: `too-long-xyzzy-${'y'.repeat(200)}` }],
    ['AzureWebJobsStorage', { AzureWebJobsStorage: 'AccountName=a;AccountKey=key-xyzzy-value;Bogus=1' }],
    ['AzureWebJobsStorage', { AzureWebJobsStorage: 'AccountKey=key-xyzzy-value' }],
    ['AzureWebJobsStorage', { AzureWebJobsStorage: 'key-xyzzy-value' }],
  ])('keeps a bad %s value out of the error', (key, overrides) => {
    const result = safeLoadConfig(anEnv(overrides));
    const error = new ConfigError(result.ok ? [] : result.issues);

    expect(result.ok ? [] : result.issues.map((issue) => issue.key)).toContain(key);
    for (const text of [error.message, JSON.stringify(error.issues), inspect(error)]) {
      expect(text).not.toContain('xyzzy');
    }
  });
});

describe('loadConfig on the real process environment', () => {
  it('reads process.env itself, not only plain objects', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, anEnv());
      expect(loadConfig(process.env).gogs.url).toBe('https://git.example.com');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
