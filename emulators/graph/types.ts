/** Seed file format (documented in docs/emulators.md, "Graph emulator"). */
export interface SeedApp {
  clientId: string;
  clientSecret: string;
  displayName?: string;
  /** Application permissions granted (the `roles` claim). Default: User.Read.All, Group.Read.All. */
  roles?: string[];
}

export interface SeedUser {
  id?: string;
  displayName: string;
  givenName?: string | null;
  surname?: string | null;
  mail?: string | null;
  mailNickname?: string;
  userPrincipalName: string;
  userType?: 'Member' | 'Guest';
  accountEnabled?: boolean;
  jobTitle?: string | null;
  onPremisesSamAccountName?: string | null;
  /** Soft-deleted (in /directory/deletedItems). */
  deleted?: boolean;
}

export interface SeedGroup {
  id?: string;
  displayName: string;
  mailNickname?: string;
  description?: string | null;
  mail?: string | null;
  securityEnabled?: boolean;
  mailEnabled?: boolean;
  groupTypes?: string[];
  isAssignableToRole?: boolean;
  membershipRule?: string | null;
  /** Member ids (users or groups); a user's userPrincipalName is accepted too. */
  members?: string[];
  deleted?: boolean;
}

export interface Seed {
  tenant?: { id?: string; displayName?: string };
  /** Verified domains; the first is the default. */
  domains?: string[];
  apps?: SeedApp[];
  /** Managed identity (App Service style endpoint): its client id and roles. */
  managedIdentity?: { clientId?: string; roles?: string[] };
  users?: SeedUser[];
  groups?: SeedGroup[];
}

export interface UserRecord {
  kind: 'user';
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string;
  userPrincipalName: string;
  userType: 'Member' | 'Guest';
  accountEnabled: boolean;
  jobTitle: string | null;
  onPremisesSamAccountName: string | null;
  createdDateTime: string;
  deletedDateTime: string | null;
}

export interface GroupRecord {
  kind: 'group';
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mail: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  groupTypes: string[];
  isAssignableToRole: boolean;
  membershipRule: string | null;
  createdDateTime: string;
  deletedDateTime: string | null;
  /** Direct member ids, in insertion order. */
  members: Set<string>;
}

export type DirectoryObject = UserRecord | GroupRecord;
export type ObjectKind = DirectoryObject['kind'];

export interface MemberChange {
  id: string;
  memberKind: ObjectKind;
  removed: boolean;
}

/** One directory change, as the delta log and the notification pipeline see it. */
export interface DirectoryChange {
  seq: number;
  at: number;
  kind: ObjectKind;
  id: string;
  /** created | updated | softDeleted | restored | deleted (permanent) | members */
  op: 'created' | 'updated' | 'softDeleted' | 'restored' | 'deleted' | 'members';
  props: string[];
  members: MemberChange[];
}

export interface AppPrincipal {
  clientId: string;
  clientSecret: string | null;
  displayName: string;
  roles: string[];
  /** Service principal object id (the token's oid). */
  objectId: string;
}
