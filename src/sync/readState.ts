import type {
  DirectoryUser,
  GogsAccount,
  GogsSshKey,
  IdentityRecord,
  ManagedTeam,
  ObjectId,
} from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import { mapLimited } from './limited.js';
import type { ActualState, ActualTeam, DesiredState, DesiredUser } from './model.js';
import type { SyncPolicy } from './policy.js';
import { scopeGroups } from './policy.js';
import type { Clock, DirectoryReader, GitServer, GroupMembersRead, GroupRead } from './ports.js';

/** Scope group listings read at once: a few, well within Graph's identity budget (spec §6). */
const GROUP_READS_IN_FLIGHT = 4;

/**
 * The directory side of a full reconcile (DESIGN §3.3): transitive members of every scope group,
 * their profiles coming with them, or all users. `snapshotAt` is taken before the first read, so
 * any change handled after it fences the plan's actions.
 */
export async function readDesiredState(
  directory: DirectoryReader,
  policy: SyncPolicy,
  clock: Clock,
  lastKnownGroupSizes: ReadonlyMap<ObjectId, number>,
): Promise<DesiredState> {
  const snapshotAt = clock.now();
  const ids = [...scopeGroups(policy)].sort();
  const read = await mapLimited(ids, GROUP_READS_IN_FLIGHT, (groupId) => readGroup(directory, groupId));
  const reads = new Map(ids.map((groupId, i) => [groupId, read[i] as GroupMembersRead]));
  const { users, groupReads } = desiredFromReads(reads);
  if (policy.scope !== 'allUsers') return { snapshotAt, users, groupReads, lastKnownGroupSizes };
  const all = new Map<ObjectId, DesiredUser>();
  for (const user of await directory.readAllUsers()) {
    all.set(user.id, { presence: 'present', user, groups: users.get(user.id)?.groups ?? new Set() });
  }
  return { snapshotAt, users: all, groupReads, lastKnownGroupSizes };
}

/**
 * The members of the given group reads as desired users (their profiles came with the listing;
 * a member listed without one is left out), in id order, each with the groups it was read in; and
 * the reads as a plan keeps them: members only, not profiles (memory, at 10,000 users).
 */
export function desiredFromReads(reads: ReadonlyMap<ObjectId, GroupMembersRead>): {
  users: Map<ObjectId, DesiredUser>;
  groupReads: Map<ObjectId, GroupRead>;
} {
  const groupsOf = new Map<ObjectId, Set<ObjectId>>();
  const profiles = new Map<ObjectId, DirectoryUser>();
  const groupReads = new Map<ObjectId, GroupRead>();
  for (const [groupId, read] of reads) {
    groupReads.set(groupId, read.status === 'ok' ? { status: 'ok', members: read.members } : read);
    if (read.status !== 'ok') continue;
    for (const member of read.members) groupsOf.set(member, (groupsOf.get(member) ?? new Set()).add(groupId));
    for (const user of read.users) profiles.set(user.id, user);
  }
  const users = new Map<ObjectId, DesiredUser>();
  for (const id of [...groupsOf.keys()].sort()) {
    const user = profiles.get(id);
    if (user) users.set(id, { presence: 'present', user, groups: groupsOf.get(id) ?? new Set() });
  }
  return { users, groupReads };
}

async function readGroup(directory: DirectoryReader, groupId: ObjectId): Promise<GroupMembersRead> {
  try {
    return await directory.readGroupMembers(groupId);
  } catch (error) {
    return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The Gogs side of a single-user plan: that account (or, for a user without one yet, the whole
 * listing, since a new name must not collide), its keys when suspended, and the managed teams
 * `teamsFor` asks for once it knows whether the account exists (see `teamsForUserPlan`).
 */
export async function readActualForUser(
  git: GitServer,
  identity: IdentityRecord | undefined,
  teamsFor: (account: GogsAccount | undefined) => readonly ManagedTeam[],
): Promise<{ actual: ActualState; teams: readonly ManagedTeam[] }> {
  const tokenOwner = await git.tokenOwner();
  // A name still to be chosen must be checked against everyone; a known one needs only itself.
  const known = identity && identity.pending !== 'refused' ? identity.username.toLowerCase() : undefined;
  const accounts =
    known !== undefined
      ? [await git.getAccount(known)].filter((a): a is NonNullable<typeof a> => a !== undefined)
      : await git.listUsers();
  const byName = new Map(accounts.map((account) => [account.username.toLowerCase(), account]));
  const teams = teamsFor(known === undefined ? undefined : byName.get(known));
  const { orgs, teams: actualTeams } = await readManagedTeams(git, teams);
  const keys = new Map<string, readonly GogsSshKey[]>();
  if (identity?.status === 'suspended' && byName.has(identity.username.toLowerCase())) {
    keys.set(identity.username.toLowerCase(), await git.listKeys(identity.username));
  }
  const actual = {
    tokenOwner,
    accounts: byName,
    orgs,
    teams: actualTeams,
    keys,
    takenNames: new Set<string>(),
  };
  return { actual, teams };
}

/**
 * The Gogs side of a team plan (a group changed): the user listing (members entering scope need
 * names that collide with nobody) and only the given teams' members. No keys: a team plan grants
 * but never suspends (a full reconcile adds them: `readActualState`).
 */
export async function readActualForTeams(
  git: GitServer,
  teams: readonly ManagedTeam[],
): Promise<ActualState> {
  const [tokenOwner, accounts] = await Promise.all([git.tokenOwner(), git.listUsers()]);
  const { orgs, teams: actualTeams } = await readManagedTeams(git, teams);
  const byName = new Map(accounts.map((account) => [account.username.toLowerCase(), account]));
  return { tokenOwner, accounts: byName, orgs, teams: actualTeams, keys: new Map(), takenNames: new Set() };
}

/**
 * The Gogs side, at the minimum cost DESIGN §3.3 allows: the user listing, the managed orgs'
 * teams, the managed teams' members; then the identities (`readIdentities`) and the suspended
 * users' keys. The identities are read after Gogs because the bridge writes a row after the Gogs
 * write it records: read the other way round, a restore or create landing between the two reads
 * shows its account without its row, and the plan acts on that mix.
 */
export async function readActualState(
  git: GitServer,
  policy: SyncPolicy,
  readIdentities: () => Promise<IdentityRecord[]>,
): Promise<{ actual: ActualState; identities: IdentityRecord[] }> {
  const actual = await readActualForTeams(git, policy.teams);
  const identities = await readIdentities();
  const keys = new Map<string, readonly GogsSshKey[]>();
  for (const identity of identities) {
    const lower = identity.username.toLowerCase();
    if (identity.status === 'suspended' && actual.accounts.has(lower))
      keys.set(lower, await git.listKeys(identity.username));
  }
  return { actual: { ...actual, keys }, identities };
}

/** The orgs of the given managed teams that exist, and those teams' members. */
async function readManagedTeams(git: GitServer, managed: readonly ManagedTeam[]) {
  const orgs = new Set<string>();
  const teams = new Map<string, ActualTeam>();
  const wanted = new Set(managed.map((t) => teamKey(t.org, t.team)));
  for (const org of [...new Set(managed.map((t) => t.org.toLowerCase()))].sort()) {
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
