import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/index.js';
import { policyFromConfig } from '../../../src/sync/policy.js';
import { aMapping, anEnv, GROUP_A, GROUP_B, USER_A } from '../config/anEnv.js';

describe('policyFromConfig', () => {
  it('folds mapping entries into one managed team each, with the Owners team owned', () => {
    const mapping = aMapping({
      siteAdminGroup: GROUP_B,
      teams: [
        { group: GROUP_A, org: 'acme', team: 'engineering', permission: 'write' },
        { group: GROUP_B, org: 'ACME', team: 'Engineering', permission: 'write' },
        { group: GROUP_B, org: 'acme', team: 'Owners' },
      ],
      usernameOverrides: { [USER_A]: 'jsmith' },
    });
    const config = loadConfig(
      anEnv({
        SYNC_MAPPING: JSON.stringify(mapping),
        PROTECTED_GOGS_USERS: 'CI-Bot,deploy',
        MAX_DEPROVISION: '7',
      }),
    );

    const policy = policyFromConfig(config);

    expect(policy.teams).toEqual([
      { org: 'acme', team: 'engineering', permission: 'write', groups: [GROUP_B, GROUP_A].sort() },
      { org: 'acme', team: 'Owners', permission: 'owner', groups: [GROUP_B] },
    ]);
    expect(policy.siteAdminGroup).toBe(GROUP_B);
    expect(policy.usernameOverrides).toEqual({ [USER_A]: 'jsmith' });
    expect([...policy.protectedUsers]).toEqual(['ci-bot', 'deploy']);
    expect(policy).toMatchObject({
      maxDeprovision: 7,
      maxDeprovisionPercent: 10,
      deprovisionWindowMs: 3_600_000,
    });
  });
});
