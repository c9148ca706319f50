import type { Action } from '../domain/actions.js';
import type {
  DirectoryPresence,
  DirectoryUser,
  GogsAccount,
  GogsSshKey,
  GogsTeam,
  IdentityRecord,
  ObjectId,
} from '../domain/types.js';
import type { GroupRead } from './ports.js';

/** What the directory says about one user, with the scope groups they belong to transitively. */
export interface DesiredUser {
  presence: DirectoryPresence;
  user?: DirectoryUser;
  groups: ReadonlySet<ObjectId>;
}

/** The directory side of a plan, read at `snapshotAt`. */
export interface DesiredState {
  snapshotAt: number;
  users: ReadonlyMap<ObjectId, DesiredUser>;
  /** Reads of the groups this plan relied on; a failed or shrunken read is suspect. */
  groupReads: ReadonlyMap<ObjectId, GroupRead>;
  /** Member counts from the previous successful read of each group (state). */
  lastKnownGroupSizes: ReadonlyMap<ObjectId, number>;
}

/** What Gogs shows for one managed team; `members` is undefined when it was not read. */
export interface ActualTeam {
  team: GogsTeam;
  members?: ReadonlySet<string>;
}

/** The Gogs side of a plan, as the `GitServer` port can read it. Names are lower-cased keys. */
export interface ActualState {
  tokenOwner: string;
  accounts: ReadonlyMap<string, GogsAccount>;
  /** Managed orgs that exist. */
  orgs: ReadonlySet<string>;
  /** Managed teams that exist, by `teamKey`. */
  teams: ReadonlyMap<string, ActualTeam>;
  /** SSH keys, read for suspended users only. */
  keys: ReadonlyMap<string, readonly GogsSshKey[]>;
  /** Names known to be taken although no listed account has them (orgs, refused creates). */
  takenNames: ReadonlySet<string>;
}

export type Finding =
  | { kind: 'noEmail'; objectId: ObjectId }
  | { kind: 'emailInUse'; objectId: ObjectId; holder: string }
  | { kind: 'usernameRejected'; objectId: ObjectId; reason: string }
  | { kind: 'usernameCollision'; objectId: ObjectId; wanted: string; chosen: string }
  | { kind: 'adoptionCandidate'; objectId: ObjectId; username: string }
  | { kind: 'teamPermissionDrift'; org: string; team: string; expected: string; actual: string }
  | { kind: 'suspectGroup'; groupId: ObjectId; why: string }
  | { kind: 'lastOwnerKept'; org: string; username: string }
  /** A team that left SYNC_MAPPING: never touched again unless an operator asks to drain it (DESIGN §5). */
  | { kind: 'formerlyManagedTeam'; org: string; team: string; managedMembers: number };

export interface Plan {
  snapshotAt: number;
  actions: Action[];
  findings: Finding[];
  /** Users whose scope may have changed and need a plan of their own (from team plans). */
  followUps: ObjectId[];
}

export interface PlanInput {
  desired: DesiredState;
  actual: ActualState;
  identities: ReadonlyMap<ObjectId, IdentityRecord>;
  /** Re-send the fields Gogs hides for every managed user (REASSERT_SCHEDULE). */
  reassert?: boolean;
}
