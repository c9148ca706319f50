import { describe, expect, it } from 'vitest';
import { loadConfig, safeLoadConfig } from '../../../src/config/index.js';
import { aMapping, anEnv, GROUP_A, GROUP_B, USER_A, USER_B } from './anEnv.js';

function mappingIssues(mapping: unknown) {
  const result = safeLoadConfig(anEnv({ SYNC_MAPPING: JSON.stringify(mapping) }));
  if (result.ok) throw new Error('expected SYNC_MAPPING to be refused');
  return result.issues.map((issue) => `${issue.path}: ${issue.message}`);
}

const team = (overrides: Record<string, unknown> = {}) => ({
  group: GROUP_A,
  org: 'acme',
  team: 'dev',
  ...overrides,
});

describe('SYNC_MAPPING accepted', () => {
  it('reads the mapping of DESIGN §5, with defaults and normalised ids', () => {
    const config = loadConfig(
      anEnv({
        SYNC_MAPPING: JSON.stringify({
          siteAdminGroup: GROUP_B.toUpperCase(),
          teams: [
            { group: GROUP_A.toUpperCase(), org: 'acme', team: 'engineering', permission: 'write' },
            { group: GROUP_B, org: 'acme', team: 'Owners' },
            { group: GROUP_B, org: 'Acme.Labs', team: 'readers' },
            { group: GROUP_A, org: 'Acme.Labs', team: 'OWNERS', permission: 'owner' },
          ],
          usernameOverrides: { [USER_A.toUpperCase()]: 'jsmith' },
        }),
      }),
    );

    expect(config.mapping).toEqual({
      scope: 'mappedGroups',
      siteAdminGroup: GROUP_B,
      teams: [
        { group: GROUP_A, org: 'acme', team: 'engineering', permission: 'write' },
        { group: GROUP_B, org: 'acme', team: 'Owners', permission: 'owner' },
        { group: GROUP_B, org: 'Acme.Labs', team: 'readers', permission: 'read' },
        { group: GROUP_A, org: 'Acme.Labs', team: 'OWNERS', permission: 'owner' },
      ],
      usernameOverrides: new Map([[USER_A, 'jsmith']]),
    });
  });

  it('accepts allUsers with no teams', () => {
    const config = loadConfig(anEnv({ SYNC_MAPPING: '{"scope":"allUsers"}' }));

    expect(config.mapping).toMatchObject({ scope: 'allUsers', teams: [] });
  });

  it('accepts several groups for one team when they agree, an omitted permission meaning read', () => {
    const teams = [team({ team: 'Dev' }), team({ group: GROUP_B, org: 'ACME', permission: 'read' })];

    expect(
      loadConfig(anEnv({ SYNC_MAPPING: JSON.stringify(aMapping({ teams })) })).mapping.teams,
    ).toHaveLength(2);
  });

  it('accepts names at the length limits', () => {
    const teams = [team({ org: 'o'.repeat(35), team: 't'.repeat(30) })];

    expect(safeLoadConfig(anEnv({ SYNC_MAPPING: JSON.stringify(aMapping({ teams })) })).ok).toBe(true);
  });
});

describe('SYNC_MAPPING refused, naming the exact path', () => {
  it.each([
    ['not an object', [1], 'SYNC_MAPPING: must be an object {scope'],
    ['a bad scope', aMapping({ scope: 'everyone' }), 'SYNC_MAPPING.scope: must be mappedGroups or allUsers'],
    [
      'nobody in scope',
      { scope: 'mappedGroups' },
      'SYNC_MAPPING: scope mappedGroups with no teams and no siteAdminGroup',
    ],
    [
      'a bad site-admin group',
      aMapping({ siteAdminGroup: 'admins' }),
      'SYNC_MAPPING.siteAdminGroup: must be an Entra group',
    ],
    ['teams not an array', aMapping({ teams: {} }), 'SYNC_MAPPING.teams: must be an array'],
    [
      'a team entry not an object',
      aMapping({ teams: ['acme/dev'] }),
      'SYNC_MAPPING.teams[0]: must be an object',
    ],
    [
      'a missing group',
      aMapping({ teams: [team({ group: undefined })] }),
      'SYNC_MAPPING.teams[0].group: is required',
    ],
    [
      'a bad group',
      aMapping({ teams: [team(), team({ group: 42 })] }),
      'SYNC_MAPPING.teams[1].group: must be a string',
    ],
    [
      'a reserved org',
      aMapping({ teams: [team({ org: 'Explore' })] }),
      'SYNC_MAPPING.teams[0].org: "Explore" is a name Gogs reserves',
    ],
    [
      'an org ending .keys',
      aMapping({ teams: [team({ org: 'acme.KEYS' })] }),
      'SYNC_MAPPING.teams[0].org: "acme.KEYS" ends in .keys',
    ],
    [
      'a long org',
      aMapping({ teams: [team({ org: 'o'.repeat(36) })] }),
      'SYNC_MAPPING.teams[0].org: must be at most 35',
    ],
    [
      'an org with a space',
      aMapping({ teams: [team({ org: 'my org' })] }),
      'SYNC_MAPPING.teams[0].org: may contain only ASCII',
    ],
    [
      'a non-ASCII org',
      aMapping({ teams: [team({ org: 'café' })] }),
      'SYNC_MAPPING.teams[0].org: may contain only ASCII',
    ],
    [
      'an empty team',
      aMapping({ teams: [team({ team: '' })] }),
      'SYNC_MAPPING.teams[0].team: must not be empty',
    ],
    [
      'a long team',
      aMapping({ teams: [team({ team: 't'.repeat(31) })] }),
      'SYNC_MAPPING.teams[0].team: must be at most 30',
    ],
    [
      'the team "New"',
      aMapping({ teams: [team({ team: 'New' })] }),
      'SYNC_MAPPING.teams[0].team: "new" is the one team name',
    ],
    [
      'a bad permission',
      aMapping({ teams: [team({ permission: 'Write' })] }),
      'SYNC_MAPPING.teams[0].permission: must be read, write or admin (Gogs silently',
    ],
    [
      'the owner permission',
      aMapping({ teams: [team({ permission: 'owner' })] }),
      'SYNC_MAPPING.teams[0].permission: must be read, write or admin: only the Owners team',
    ],
    [
      'a permission on Owners',
      aMapping({ teams: [team({ team: 'owners', permission: 'admin' })] }),
      'SYNC_MAPPING.teams[0].permission: must be omitted',
    ],
    [
      'an unknown team field',
      aMapping({ teams: [team({ permisson: 'write' })] }),
      'SYNC_MAPPING.teams[0]: unknown field "permisson"; expected {group, org, team, permission?}',
    ],
    ['an unknown top-level field', aMapping({ team: [] }), 'SYNC_MAPPING: unknown field "team"'],
    [
      'a duplicate entry',
      aMapping({ teams: [team(), team({ org: 'ACME', team: 'DEV' })] }),
      'SYNC_MAPPING.teams[1]: duplicates teams[0]',
    ],
    [
      'overrides not an object',
      aMapping({ usernameOverrides: [] }),
      'SYNC_MAPPING.usernameOverrides: must be an object',
    ],
    [
      'an override key not a GUID',
      aMapping({ usernameOverrides: { jsmith: 'jsmith' } }),
      'SYNC_MAPPING.usernameOverrides.jsmith: key must be an Entra user object id',
    ],
    [
      'a reserved override',
      aMapping({ usernameOverrides: { [USER_A]: 'Admin' } }),
      `SYNC_MAPPING.usernameOverrides["${USER_A}"]: "Admin" is a name Gogs reserves`,
    ],
    [
      'a .keys override',
      aMapping({ usernameOverrides: { [USER_A]: 'bob.keys' } }),
      `SYNC_MAPPING.usernameOverrides["${USER_A}"]: "bob.keys" ends in .keys`,
    ],
    [
      'an override not a string',
      aMapping({ usernameOverrides: { [USER_A]: 7 } }),
      `SYNC_MAPPING.usernameOverrides["${USER_A}"]: must be a string`,
    ],
  ])('%s', (_, mapping, expected) => {
    expect(mappingIssues(mapping)).toEqual([expect.stringContaining(expected)]);
  });

  it('names both entries when one team gets two permissions', () => {
    const teams = [
      team(),
      team({ group: GROUP_B, org: 'other' }),
      team({ group: GROUP_B, org: 'Acme', permission: 'write' }),
    ];

    expect(mappingIssues(aMapping({ teams }))).toEqual([
      'SYNC_MAPPING.teams[2].permission: write disagrees with teams[0] (read (the default)) for team Acme/dev; ' +
        'entries for one team must agree on the permission',
    ]);
  });

  it('names both object ids when two pin one username', () => {
    const usernameOverrides = { [USER_A]: 'jsmith', [USER_B]: 'JSmith' };

    expect(mappingIssues(aMapping({ usernameOverrides }))).toEqual([
      `SYNC_MAPPING.usernameOverrides["${USER_B}"]: pins "JSmith", already pinned by "${USER_A}"; ` +
        'usernames are case-insensitive and unique',
    ]);
  });

  it('refuses one object id written twice in different case', () => {
    const usernameOverrides = { [USER_A]: 'jsmith', [USER_A.toUpperCase()]: 'john' };

    expect(mappingIssues(aMapping({ usernameOverrides }))).toEqual([
      expect.stringContaining(`is the same object id as "${USER_A}"`),
    ]);
  });

  it('reports several bad entries at once', () => {
    const teams = [team({ org: 'api' }), team({ team: 'new' }), team({ group: 'g' })];

    expect(mappingIssues(aMapping({ teams }))).toEqual([
      expect.stringMatching(/^SYNC_MAPPING\.teams\[0\]\.org: /),
      expect.stringMatching(/^SYNC_MAPPING\.teams\[1\]\.team: /),
      expect.stringMatching(/^SYNC_MAPPING\.teams\[2\]\.group: /),
    ]);
  });
});
