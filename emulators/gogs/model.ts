/** Rows of the emulator's in-memory database, shaped after Gogs' tables (spec/gogs-api.md §2–§4). */

export type AccountType = 'user' | 'org';
export type AccessMode = 'read' | 'write' | 'admin' | 'owner';

export interface Account {
  id: number;
  type: AccountType;
  name: string;
  lowerName: string;
  /** Stored raw; sanitised only on output (spec §2). */
  fullName: string;
  email: string;
  passwordHash: string;
  salt: string;
  rands: string;
  passwordVersion: number;
  /** True while the password is the empty string (spec §2.4 hazard). */
  passwordEmpty: boolean;
  passwordChangedAt: string;
  isActive: boolean;
  isAdmin: boolean;
  prohibitLogin: boolean;
  sourceId: number;
  loginName: string;
  website: string;
  location: string;
  description: string;
  allowGitHook: boolean;
  allowImportLocal: boolean;
  maxRepoCreation: number;
  createdAt: string;
  updatedAt: string;
}

export interface OrgUser {
  uid: number;
  orgId: number;
  isOwner: boolean;
  isPublic: boolean;
}

export interface Team {
  id: number;
  orgId: number;
  name: string;
  lowerName: string;
  description: string;
  authorize: AccessMode;
  /** Member user ids in insertion order. */
  memberIds: number[];
  repoIds: number[];
}

export interface PublicKey {
  id: number;
  ownerId: number;
  title: string;
  /** Normalised `type base64[ comment]`. */
  content: string;
  createdAt: string;
}

export interface AccessToken {
  id: number;
  uid: number;
  name: string;
  sha256: string;
  createdAt: string;
  updatedAt: string;
}

export interface Repository {
  id: number;
  ownerId: number;
  name: string;
  lowerName: string;
  description: string;
  isPrivate: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Collaboration {
  repoId: number;
  userId: number;
  mode: Exclude<AccessMode, 'owner'>;
}
