import type { Action, ResidualAccess, UserProfile } from '../domain/actions.js';
import type {
  DirectoryPresence,
  DirectoryUser,
  GogsAccount,
  GogsSshKey,
  GogsTeam,
  IdentityRecord,
  ObjectId,
  ObjectKey,
  TeamPermission,
} from '../domain/types.js';

export interface Clock {
  now(): number;
}

/** How one group read went; the guard decides from it whether the read is suspect. */
export type GroupRead =
  | { status: 'ok'; members: ObjectId[] }
  | { status: 'notFound' }
  | { status: 'failed'; message: string };

/**
 * A group read as the directory answers it: an `ok` read also carries the members' profiles, listed
 * with them, so a plan needs no second read per user. What a plan keeps is the `GroupRead` part
 * (DesiredState.groupReads), without the profiles: those are 50,000 objects at 10,000 users.
 */
export type GroupMembersRead =
  | { status: 'ok'; members: ObjectId[]; users: DirectoryUser[] }
  | Exclude<GroupRead, { status: 'ok' }>;

export interface UserRead {
  presence: DirectoryPresence;
  user?: DirectoryUser;
  /** Mapped groups (and the site-admin group) the user belongs to transitively. */
  groups: ObjectId[];
}

/** The directory side, implemented by `GraphDirectory`. */
export interface DirectoryReader {
  /** One user with the mapped groups they belong to; used by events and fresh re-reads. */
  readUser(objectId: ObjectId): Promise<UserRead>;
  /** Transitive user members of one group (nested groups flattened), with their profiles. */
  readGroupMembers(groupId: ObjectId): Promise<GroupMembersRead>;
  /** Users in scope when `scope` is `allUsers` (enabled members; guests filtered by policy). */
  readAllUsers(): Promise<DirectoryUser[]>;
}

/**
 * The Gogs side, implemented by `GogsServer`. It exposes only what Gogs' API can read (DESIGN §2.1):
 * no admin, active, prohibit_login, source or login fields; no org member lists, no private repos.
 */
export interface GitServer {
  /** The token's own account: never touched by the sync. */
  tokenOwner(): Promise<string>;
  listUsers(): Promise<GogsAccount[]>;
  /** One account or org by name (Gogs' lookup shows both, case-insensitively), or undefined. */
  getAccount(username: string): Promise<GogsAccount | undefined>;
  /** Teams of one org, or undefined when the org does not exist. */
  listTeams(org: string): Promise<GogsTeam[] | undefined>;
  listTeamMembers(teamId: number): Promise<string[]>;
  listKeys(username: string): Promise<GogsSshKey[]>;

  createUser(username: string, profile: UserProfile): Promise<GogsAccount>;
  /** The full PATCH set (spec §2.5). */
  updateUser(
    username: string,
    profile: UserProfile,
    flags: { active?: boolean; admin?: boolean },
  ): Promise<void>;
  /** DESIGN §3.6: managed teams, SSH keys, a fresh random password, `active: false`, `admin: false`. */
  suspendUser(username: string, profile: UserProfile, managedTeams: GogsTeamRef[]): Promise<ResidualAccess>;
  restoreUser(username: string, profile: UserProfile): Promise<void>;
  /** Suspends, then deletes; Gogs refuses while any org row or repository remains. */
  deleteUser(
    username: string,
    profile: UserProfile,
    managedTeams: GogsTeamRef[],
  ): Promise<{ deleted: true } | { deleted: false; residual: ResidualAccess; refusal: string }>;
  createOrg(org: string): Promise<void>;
  createTeam(org: string, team: string, permission: Exclude<TeamPermission, 'owner'>): Promise<GogsTeam>;
  addTeamMember(team: GogsTeamRef, username: string): Promise<void>;
  removeTeamMember(team: GogsTeamRef, username: string): Promise<void>;
}

export interface GogsTeamRef {
  org: string;
  team: string;
}

/** A held action: past the budget, or from a suspect read, waiting for an operator. */
export interface HeldAction {
  id: string;
  action: Action;
  heldAt: number;
  because: 'budget' | 'suspectRead';
  cause: string;
}

/** The state the sync core needs, implemented by `TableStateStore` (and an in-memory fake). */
export interface SyncState {
  listIdentities(): Promise<IdentityRecord[]>;
  getIdentity(objectId: ObjectId): Promise<IdentityRecord | undefined>;
  putIdentity(record: IdentityRecord): Promise<void>;
  /** Latest read time an object's state was decided on (DESIGN §3.3 snapshot fencing). */
  lastEventAt(key: ObjectKey): Promise<number | undefined>;
  markEvent(key: ObjectKey, at: number): Promise<void>;
  /** Serialises work on one object across workers and reconciles. */
  /** `work` gets a signal that aborts if the lease is lost while it runs (another worker took it over). */
  withLease<T>(key: ObjectKey, work: (lost?: AbortSignal) => Promise<T>): Promise<T>;
  /** Takes one unit from the shared sliding-window budget; false when it is spent. */
  drawBudget(at: number, limit: number, windowMs: number): Promise<boolean>;
  hold(held: HeldAction): Promise<void>;
}
