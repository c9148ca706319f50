import type { DirectoryUser, IdentityRecord } from '../../src/domain/types.js';
import type { MappingEntry, SyncPolicy } from '../../src/sync/policy.js';
import { managedTeams } from '../../src/sync/policy.js';

let counter = 0;

/** A GUID-shaped object id; deterministic from `n` when given. */
export function anObjectId(n?: number): string {
  const value = n ?? ++counter;
  const hex = value.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-0000-4000-8000-${hex}`;
}

export function aUser(overrides: Partial<DirectoryUser> & { id?: string } = {}): DirectoryUser {
  const id = overrides.id ?? anObjectId();
  const nickname = overrides.mailNickname ?? `user${id.slice(0, 8)}`;
  return {
    id,
    displayName: `User ${nickname}`,
    mail: `${nickname}@contoso.com`,
    userPrincipalName: `${nickname}@contoso.com`,
    mailNickname: nickname,
    userType: 'Member',
    accountEnabled: true,
    ...overrides,
  };
}

export function aGuest(overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  const nickname = overrides.mailNickname ?? 'alice_fabrikam.com#EXT#';
  return aUser({
    userType: 'Guest',
    mailNickname: nickname,
    userPrincipalName: `${nickname}@contoso.onmicrosoft.com`,
    mail: 'alice@fabrikam.com',
    ...overrides,
  });
}

export function aPolicy(
  overrides: Partial<Omit<SyncPolicy, 'teams'>> & { mapping?: MappingEntry[] } = {},
): SyncPolicy {
  const { mapping = [], ...rest } = overrides;
  return {
    scope: 'mappedGroups',
    teams: managedTeams(mapping),
    usernameAttribute: 'mailNickname',
    usernameOverrides: {},
    includeGuests: false,
    adoptExisting: 'off',
    deprovisionMode: 'suspend',
    protectedUsers: new Set(),
    loginSourceId: 0,
    maxDeprovision: 25,
    maxDeprovisionPercent: 10,
    deprovisionWindowMs: 3_600_000,
    reconcileFreshnessMs: 120_000,
    ...rest,
  };
}

export function anIdentity(
  overrides: Partial<IdentityRecord> & { objectId: string; username: string },
): IdentityRecord {
  return {
    status: 'active',
    written: { active: true, admin: false, sourceId: 0, loginName: '' },
    ...overrides,
  };
}
