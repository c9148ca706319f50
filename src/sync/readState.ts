import type { GogsSshKey, IdentityRecord, ObjectId } from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import type { ActualState, ActualTeam, DesiredState, DesiredUser } from './model.js';
import type { SyncPolicy } from './policy.js';
import { scopeGroups } from './policy.js';
import type { Clock, DirectoryReader, GitServer, GroupRead } from './ports.js';

/**
 * The directory side of a full reconcile (DESIGN §3.3): transitive members of every scope group,
 * or all users. `snapshotAt` is taken before the first read, so any change handled after it
 * fences the plan's actions.
 */
export async function readDesiredState(
  directory: DirectoryReader,
  policy: SyncPolicy,
  clock: Clock,
  lastKnownGroupSizes: ReadonlyMap<ObjectId, number>,
): Promise<DesiredState> {
  const snapshotAt = clock.now();
  const groupReads = new Map<ObjectId, GroupRead>();
  for (const groupId of [...scopeGroups(policy)].sort()) {
    groupReads.set(groupId, await readGroup(directory, groupId));
  }
  const groupsOf = new Map<ObjectId, Set<ObjectId>>();
  for (const [groupId, read] of groupReads) {
    if (read.status !== 'ok') continue;
    for (const member of read.members) groupsOf.set(member, (groupsOf.get(member) ?? new Set()).add(groupId));
  }
  const users =
    policy.scope === 'allUsers'
      ? await directory.readAllUsers()
      : await directory.readUsers([...groupsOf.keys()].sort());
  const desired = new Map<ObjectId, DesiredUser>();
  for (const user of users) {
    desired.set(user.id, { presence: 'present', user, groups: groupsOf.get(user.id) ?? new Set() });
  }
  return { snapshotAt, users: desired, groupReads, lastKnownGroupSizes };
}

async function readGroup(directory: DirectoryReader, groupId: ObjectId): Promise<GroupRead> {
  try {
    return await directory.readGroupMembers(groupId);
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The Gogs side of a single-user plan: that account (or, for a user without one yet, the whole
 * listing, since a new name must not collide), the managed teams, and its keys when suspended.
 */
export async function readActualForUser(
  git: GitServer,
  policy: SyncPolicy,
  identity: IdentityRecord | undefined,
): Promise<ActualState> {
  const tokenOwner = await git.tokenOwner();
  // A name still to be chosen must be checked against everyone; a known one needs only itself.
  const accounts =
    identity && identity.pending !== 'refused'
      ? [await git.getAccount(identity.username)].filter((a): a is NonNullable<typeof a> => a !== undefined)
      : await git.listUsers();
  const { orgs, teams } = await readManagedTeams(git, policy);
  const byName = new Map(accounts.map((account) => [account.username.toLowerCase(), account]));
  const keys = new Map<string, readonly GogsSshKey[]>();
  if (identity?.status === 'suspended' && byName.has(identity.username.toLowerCase())) {
    keys.set(identity.username.toLowerCase(), await git.listKeys(identity.username));
  }
  return { tokenOwner, accounts: byName, orgs, teams, keys, takenNames: new Set() };
}

/**
 * The Gogs side, at the minimum cost DESIGN §3.3 allows: the user listing, the managed orgs'
 * teams, the managed teams' members and the suspended users' keys.
 */
export async function readActualState(
  git: GitServer,
  policy: SyncPolicy,
  identities: Iterable<IdentityRecord>,
): Promise<ActualState> {
  const [tokenOwner, accounts] = await Promise.all([git.tokenOwner(), git.listUsers()]);
  const { orgs, teams } = await readManagedTeams(git, policy);
  const byName = new Map(accounts.map((account) => [account.username.toLowerCase(), account]));
  const keys = new Map<string, readonly GogsSshKey[]>();
  for (const identity of identities) {
    const lower = identity.username.toLowerCase();
    if (identity.status === 'suspended' && byName.has(lower))
      keys.set(lower, await git.listKeys(identity.username));
  }
  return { tokenOwner, accounts: byName, orgs, teams, keys, takenNames: new Set() };
}

/** The managed orgs that exist and the members of the managed teams in them. */
async function readManagedTeams(git: GitServer, policy: SyncPolicy) {
  const orgs = new Set<string>();
  const teams = new Map<string, ActualTeam>();
  const wanted = new Set(policy.teams.map((t) => teamKey(t.org, t.team)));
  for (const org of [...new Set(policy.teams.map((t) => t.org.toLowerCase()))].sort()) {
    const listed = await git.listTeams(org);
    if (!listed) continue;
    orgs.add(org);
    for (const team of listed) {
      const key = teamKey(org, team.name);
      if (!wanted.has(key)) continue;
      const members = await git.listTeamMembers(team.id);
      teams.set(key, { team, members: new Set(members.map((m) => m.toLowerCase())) });
    }
  }
  return { orgs, teams };
}
