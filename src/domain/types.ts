/** An Entra object id (a GUID, lower-case). */
export type ObjectId = string;

/** A user as the sync reads it from Graph (`$select`ed fields only). */
export interface DirectoryUser {
  id: ObjectId;
  displayName: string;
  mail: string | null;
  userPrincipalName: string;
  mailNickname: string | null;
  userType: 'Member' | 'Guest';
  accountEnabled: boolean;
}

/**
 * What the directory says about one user at a point in time. `present`: the user reads (scope is
 * decided from their fields and groups); `absent`: not read, e.g. no longer in any mapped group;
 * `softDeleted` is confirmed through `directory/deletedItems`; `hardDeleted` only by a `deleted`
 * notification or a delta `@removed.reason == "deleted"` (DESIGN §3.2).
 */
export type DirectoryPresence = 'present' | 'absent' | 'softDeleted' | 'hardDeleted';

/** Team permissions Gogs stores; `owner` belongs to the Owners team only (spec/gogs-api.md §4). */
export type TeamPermission = 'read' | 'write' | 'admin' | 'owner';

/** A Gogs account as the API shows it: no admin, active, source or login fields (spec §2). */
export interface GogsAccount {
  id: number;
  username: string;
  email: string;
  /** Unescaped: the adapter undoes Gogs' HTML escaping of `full_name`. */
  fullName: string;
}

export interface GogsTeam {
  id: number;
  org: string;
  name: string;
  permission: TeamPermission;
}

export interface GogsSshKey {
  id: number;
  title: string;
}

/** Fields Gogs accepts on PATCH but never returns, kept in the identities record when written. */
export interface HiddenFields {
  active: boolean;
  admin: boolean;
  sourceId: number;
  loginName: string;
}

export type IdentityStatus = 'active' | 'suspended' | 'deleted';

/**
 * The identities table row: Entra object id → Gogs username, once and forever. Rows are never
 * deleted; a `deleted` row is a tombstone whose username is never reissued (DESIGN §3.5).
 */
export interface IdentityRecord {
  objectId: ObjectId;
  username: string;
  status: IdentityStatus;
  /** What the bridge last wrote of the fields Gogs hides; undefined when never written (adopted). */
  written: Partial<HiddenFields>;
  adopted?: boolean;
  /**
   * The name is reserved before the account is created, so a crash between the two never makes
   * our own account look foreign. `refused`: Gogs said the name is taken (by an org the listing
   * can't show); the next plan picks another.
   */
  pending?: 'reserved' | 'refused';
}

/** A team named by `SYNC_MAPPING`, with the Entra groups whose transitive members fill it. */
export interface ManagedTeam {
  org: string;
  team: string;
  /** `owner` only for the Owners team, which Gogs creates with the org. */
  permission: TeamPermission;
  groups: ObjectId[];
}

/** A directory object whose changes are fenced (DESIGN §3.3): one user or one group. */
export type ObjectKey = `user:${string}` | `group:${string}`;

export function userKey(objectId: ObjectId): ObjectKey {
  return `user:${objectId}`;
}

export function groupKey(objectId: ObjectId): ObjectKey {
  return `group:${objectId}`;
}

/** A managed team's identity: Gogs compares org and team names case-insensitively. */
export function teamKey(org: string, team: string): string {
  return `${org.toLowerCase()}/${team.toLowerCase()}`;
}
