import type { Config } from '../config/index.js';
import type { ManagedTeam, ObjectId, TeamPermission } from '../domain/types.js';
import { teamKey } from '../domain/types.js';

/** The settings the planner and `applyPlan` decide with; built once from the config. */
export interface SyncPolicy {
  scope: 'mappedGroups' | 'allUsers';
  teams: ManagedTeam[];
  siteAdminGroup?: ObjectId;
  usernameAttribute: 'mailNickname' | 'userPrincipalName' | 'mail';
  usernameOverrides: Readonly<Record<ObjectId, string>>;
  includeGuests: boolean;
  adoptExisting: 'off' | 'usernameAndEmail';
  deprovisionMode: 'suspend' | 'delete';
  /** Lower-cased Gogs usernames the sync never touches, besides the token's owner. */
  protectedUsers: ReadonlySet<string>;
  loginSourceId: number;
  maxDeprovision: number;
  maxDeprovisionPercent: number;
  deprovisionWindowMs: number;
  reconcileFreshnessMs: number;
}

export interface MappingEntry {
  group: ObjectId;
  org: string;
  team: string;
  permission?: TeamPermission;
}

/**
 * Folds `SYNC_MAPPING.teams` into one entry per team (compared case-insensitively, as Gogs
 * compares names); the config schema has already rejected entries that disagree on permission.
 */
export function managedTeams(entries: readonly MappingEntry[]): ManagedTeam[] {
  const byKey = new Map<string, ManagedTeam>();
  for (const entry of entries) {
    const key = teamKey(entry.org, entry.team);
    const existing = byKey.get(key);
    if (existing) {
      if (!existing.groups.includes(entry.group)) existing.groups.push(entry.group);
      continue;
    }
    byKey.set(key, {
      org: entry.org,
      team: entry.team,
      permission: isOwnersTeam(entry.team) ? 'owner' : (entry.permission ?? 'read'),
      groups: [entry.group],
    });
  }
  return [...byKey.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, team]) => ({ ...team, groups: [...team.groups].sort() }));
}

/** Every group whose membership decides scope: the mapped groups and the site-admin group. */
export function scopeGroups(policy: SyncPolicy): Set<ObjectId> {
  const groups = new Set(policy.teams.flatMap((team) => team.groups));
  if (policy.siteAdminGroup) groups.add(policy.siteAdminGroup);
  return groups;
}

/** The Owners team's membership makes org owners; Gogs refuses to remove its last member. */
export function isOwnersTeam(team: string): boolean {
  return team.toLowerCase() === 'owners';
}

/** The planner's view of the settings (DESIGN §5). */
export function policyFromConfig(config: Config): SyncPolicy {
  const { mapping, policy, budget, gogs, timing } = config;
  return {
    scope: mapping.scope,
    teams: managedTeams(mapping.teams),
    ...(mapping.siteAdminGroup ? { siteAdminGroup: mapping.siteAdminGroup } : {}),
    usernameAttribute: policy.usernameAttribute,
    usernameOverrides: Object.fromEntries(mapping.usernameOverrides),
    includeGuests: policy.includeGuests,
    adoptExisting: policy.adoptExisting,
    deprovisionMode: policy.deprovisionMode,
    protectedUsers: new Set([...policy.protectedGogsUsers].map((name) => name.toLowerCase())),
    loginSourceId: gogs.loginSourceId,
    maxDeprovision: budget.maxDeprovision,
    maxDeprovisionPercent: budget.maxDeprovisionPercent,
    deprovisionWindowMs: budget.windowMs,
    reconcileFreshnessMs: timing.reconcileFreshnessMs,
  };
}
