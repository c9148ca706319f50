import { hashPassword, passwordMatches, randomChars, randomHex, sha256Hex } from './crypto.js';
import type {
  AccessMode,
  AccessToken,
  Account,
  Collaboration,
  OrgUser,
  PublicKey,
  Repository,
  Team,
} from './model.js';

export interface StoreSeed {
  adminToken: string;
  adminPassword: string;
}

export interface NewUser {
  name: string;
  fullName: string;
  email: string;
  password: string;
  sourceId: number;
  loginName: string;
}

export interface NewOrg {
  name: string;
  fullName: string;
  description: string;
  website: string;
  location: string;
}

export type RemoveMemberResult = 'removed' | 'notMember' | 'lastOwner';

/** The emulator's whole database. One instance per server; `reset` builds a fresh one. */
export class GogsStore {
  readonly accounts = new Map<number, Account>();
  readonly teams = new Map<number, Team>();
  readonly keys = new Map<number, PublicKey>();
  readonly tokens = new Map<number, AccessToken>();
  readonly repos = new Map<number, Repository>();
  /** `lower_name` → id: the one name space users and orgs share. */
  private readonly names = new Map<string, number>();
  orgUsers: OrgUser[] = [];
  collaborations: Collaboration[] = [];
  private readonly seq = { account: 0, team: 0, key: 0, token: 0, repo: 0 };

  constructor(seed: StoreSeed) {
    const root = this.createUser({
      name: 'root',
      fullName: '',
      email: 'root@example.com',
      password: seed.adminPassword,
      sourceId: 0,
      loginName: '',
    });
    root.isAdmin = true;
    this.insertToken(root.id, 'emulator-admin', seed.adminToken);
  }

  now(): string {
    return `${new Date().toISOString().slice(0, 19)}Z`;
  }

  // ---- accounts -------------------------------------------------------------------------------

  /** Case-insensitive lookup over users and orgs (`lower_name`). */
  accountByName(name: string): Account | undefined {
    const id = this.names.get(name.toLowerCase());
    return id === undefined ? undefined : this.accounts.get(id);
  }

  /** Individual user by primary email; the probe is lower-cased like Gogs' `GetByEmail`. */
  userByEmail(email: string): Account | undefined {
    const probe = email.toLowerCase();
    for (const a of this.accounts.values()) if (a.type === 'user' && a.email === probe) return a;
    return undefined;
  }

  /** Spec §2.4 step 3: only active individual users' primary emails count. */
  isEmailUsed(email: string): boolean {
    const probe = email.toLowerCase();
    for (const a of this.accounts.values()) {
      if (a.type === 'user' && a.isActive && a.email.toLowerCase() === probe) return true;
    }
    return false;
  }

  private newAccount(type: Account['type'], name: string): Account {
    const now = this.now();
    this.seq.account += 1;
    const account: Account = {
      id: this.seq.account,
      type,
      name,
      lowerName: name.toLowerCase(),
      fullName: '',
      email: '',
      passwordHash: '',
      salt: randomChars(10),
      rands: randomChars(10),
      passwordVersion: 0,
      passwordEmpty: false,
      passwordChangedAt: now,
      isActive: true,
      isAdmin: false,
      prohibitLogin: false,
      sourceId: 0,
      loginName: '',
      website: '',
      location: '',
      description: '',
      allowGitHook: false,
      allowImportLocal: false,
      maxRepoCreation: -1,
      createdAt: now,
      updatedAt: now,
    };
    this.accounts.set(account.id, account);
    this.names.set(account.lowerName, account.id);
    return account;
  }

  createUser(input: NewUser): Account {
    const user = this.newAccount('user', input.name);
    user.fullName = input.fullName;
    user.email = input.email;
    user.sourceId = input.sourceId;
    user.loginName = input.loginName;
    user.passwordHash = hashPassword(input.password, user.salt);
    user.passwordEmpty = input.password === '';
    return user;
  }

  setPassword(user: Account, password: string): void {
    user.salt = randomChars(10);
    user.rands = randomChars(10);
    user.passwordHash = hashPassword(password, user.salt);
    user.passwordEmpty = password === '';
    user.passwordVersion += 1;
    user.passwordChangedAt = this.now();
  }

  checkPassword(user: Account, password: string): boolean {
    return passwordMatches(password, user.salt, user.passwordHash);
  }

  /** Removes the account row and what Gogs deletes with it (spec §2.6). */
  deleteAccount(id: number): void {
    const account = this.accounts.get(id);
    if (account) this.names.delete(account.lowerName);
    this.accounts.delete(id);
    for (const [keyId, key] of this.keys) if (key.ownerId === id) this.keys.delete(keyId);
    for (const [tokenId, token] of this.tokens) if (token.uid === id) this.tokens.delete(tokenId);
    this.collaborations = this.collaborations.filter((c) => c.userId !== id);
  }

  // ---- orgs and teams -------------------------------------------------------------------------

  createOrg(owner: Account, input: NewOrg): Account {
    const org = this.newAccount('org', input.name);
    org.fullName = input.fullName;
    org.description = input.description;
    org.website = input.website;
    org.location = input.location;
    const owners = this.createTeam(org.id, 'Owners', '', 'owner');
    this.addTeamMember(owners, owner.id);
    return org;
  }

  orgUser(uid: number, orgId: number): OrgUser | undefined {
    return this.orgUsers.find((row) => row.uid === uid && row.orgId === orgId);
  }

  /** Gogs' `IsOwnedBy`: the `org_user.is_owner` flag. */
  isOrgOwner(orgId: number, uid: number): boolean {
    return this.orgUser(uid, orgId)?.isOwner === true;
  }

  teamsOf(orgId: number): Team[] {
    return [...this.teams.values()].filter((t) => t.orgId === orgId);
  }

  teamByName(orgId: number, name: string): Team | undefined {
    const lower = name.toLowerCase();
    return this.teamsOf(orgId).find((t) => t.lowerName === lower);
  }

  createTeam(orgId: number, name: string, description: string, authorize: AccessMode): Team {
    this.seq.team += 1;
    const team: Team = {
      id: this.seq.team,
      orgId,
      name,
      lowerName: name.toLowerCase(),
      description,
      authorize,
      memberIds: [],
      repoIds: [],
    };
    this.teams.set(team.id, team);
    return team;
  }

  /** `AddTeamMember`: idempotent; creates a private `org_user` row when missing. */
  addTeamMember(team: Team, uid: number): void {
    if (team.memberIds.includes(uid)) return;
    let row = this.orgUser(uid, team.orgId);
    if (!row) {
      row = { uid, orgId: team.orgId, isOwner: false, isPublic: false };
      this.orgUsers.push(row);
    }
    team.memberIds.push(uid);
    if (team.authorize === 'owner') row.isOwner = true;
  }

  /** `RemoveTeamMember`: keeps the `org_user` row; refuses the last Owners member. */
  removeTeamMember(team: Team, uid: number): RemoveMemberResult {
    if (!team.memberIds.includes(uid)) return 'notMember';
    if (team.authorize === 'owner' && team.memberIds.length === 1) return 'lastOwner';
    team.memberIds = team.memberIds.filter((id) => id !== uid);
    const row = this.orgUser(uid, team.orgId);
    if (team.authorize === 'owner' && row) row.isOwner = false;
    return 'removed';
  }

  // ---- keys and tokens ------------------------------------------------------------------------

  addKey(ownerId: number, title: string, content: string): PublicKey {
    this.seq.key += 1;
    const key: PublicKey = { id: this.seq.key, ownerId, title, content, createdAt: this.now() };
    this.keys.set(key.id, key);
    return key;
  }

  keysOf(ownerId: number): PublicKey[] {
    return [...this.keys.values()].filter((k) => k.ownerId === ownerId);
  }

  private insertToken(uid: number, name: string, secret: string): AccessToken {
    this.seq.token += 1;
    const now = this.now();
    const token: AccessToken = {
      id: this.seq.token,
      uid,
      name,
      sha256: sha256Hex(secret),
      createdAt: now,
      updatedAt: now,
    };
    this.tokens.set(token.id, token);
    return token;
  }

  /** Returns the clear-text token; only its SHA-256 is kept. */
  createToken(uid: number, name: string): string {
    const secret = randomHex(20);
    this.insertToken(uid, name, secret);
    return secret;
  }

  tokenBySecret(secret: string): AccessToken | undefined {
    const digest = sha256Hex(secret);
    for (const t of this.tokens.values()) if (t.sha256 === digest) return t;
    return undefined;
  }

  tokensOf(uid: number): AccessToken[] {
    return [...this.tokens.values()].filter((t) => t.uid === uid);
  }

  // ---- repositories ---------------------------------------------------------------------------

  createRepo(ownerId: number, name: string, description: string, isPrivate: boolean): Repository {
    this.seq.repo += 1;
    const now = this.now();
    const repo: Repository = {
      id: this.seq.repo,
      ownerId,
      name,
      lowerName: name.toLowerCase(),
      description,
      isPrivate,
      createdAt: now,
      updatedAt: now,
    };
    this.repos.set(repo.id, repo);
    // Gogs gives an org's Owners team every new repository of the org.
    const owners = this.teamsOf(ownerId).find((t) => t.authorize === 'owner');
    owners?.repoIds.push(repo.id);
    return repo;
  }

  repoByName(ownerId: number, name: string): Repository | undefined {
    const lower = name.toLowerCase();
    for (const r of this.repos.values()) if (r.ownerId === ownerId && r.lowerName === lower) return r;
    return undefined;
  }

  reposOf(ownerId: number): Repository[] {
    return [...this.repos.values()].filter((r) => r.ownerId === ownerId);
  }

  deleteRepo(repoId: number): void {
    this.repos.delete(repoId);
    this.collaborations = this.collaborations.filter((c) => c.repoId !== repoId);
    for (const team of this.teams.values()) team.repoIds = team.repoIds.filter((id) => id !== repoId);
  }
}
