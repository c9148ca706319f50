export const TENANT = '8b1f6a4e-2c3d-4e5f-9a0b-1c2d3e4f5a6b';
export const APP = 'd4c3b2a1-6f5e-4d7c-8b9a-0e1f2a3b4c5d';
export const GROUP_A = '9a1e4c2b-7d3f-4e5a-8b6c-1f2e3d4c5b6a';
export const GROUP_B = '77b2d1e4-3c5a-4f6b-9e8d-7a6c5b4e3d2f';
export const USER_A = '5d1f3a2b-4c6e-4d8f-a1b3-c5e7f9a2b4d6';
export const USER_B = '6e2a4b3c-5d7f-4e9a-b2c4-d6f8a0b3c5e7';

export const SECRETS = {
  GRAPH_CLIENT_SECRET: 'graph-secret-VALUE-1',
  GRAPH_CLIENT_STATE: 'client-state-VALUE-2',
  GOGS_TOKEN: 'gogs-token-VALUE-3',
} as const;

export function aMapping(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    scope: 'mappedGroups',
    teams: [{ group: GROUP_A, org: 'acme', team: 'engineering', permission: 'write' }],
    ...overrides,
  };
}

/** The smallest valid environment: required keys only, every default left to the schema. */
export function anEnv(
  overrides: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    AZURE_TENANT_ID: TENANT,
    GRAPH_CLIENT_ID: APP,
    GRAPH_CLIENT_SECRET: SECRETS.GRAPH_CLIENT_SECRET,
    NOTIFICATION_URL: 'https://sync.example.com/api/graph/notifications?code=fn-key',
    GRAPH_CLIENT_STATE: SECRETS.GRAPH_CLIENT_STATE,
    GOGS_URL: 'https://git.example.com',
    GOGS_TOKEN: SECRETS.GOGS_TOKEN,
    SYNC_MAPPING: JSON.stringify(aMapping()),
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    ...overrides,
  };
}
