import type { ResidualAccess, UserProfile } from '../../src/domain/actions.js';
import type { GogsAccount, GogsSshKey, GogsTeam, TeamPermission } from '../../src/domain/types.js';
import { usernameProblem } from '../../src/domain/usernames.js';
import { UsernameTakenError } from '../../src/sync/errors.js';
import type { GitServer, GogsTeamRef } from '../../src/sync/ports.js';

interface StoredUser {
  id: number;
  username: string;
  email: string;
  fullName: string;
  active: boolean;
  admin: boolean;
  sourceId: number;
  loginName: string;
  passwordVersion: number;
  keys: GogsSshKey[];
  repos: { name: string; private: boolean }[];
}

interface StoredTeam extends GogsTeam {
  members: Set<string>;
}

export class FakeGogsError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly retryable = status >= 500,
  ) {
    super(`Gogs ${status}: ${message}`);
    this.name = 'FakeGogsError';
  }
}

/** The hidden fields a test may look at, as Gogs stores them but its API never returns. */
export type HiddenState = Pick<StoredUser, 'active' | 'admin' | 'sourceId' | 'loginName' | 'passwordVersion'>;

/**
 * An in-memory `GitServer` that behaves like Gogs where the sync depends on it: names unique
 * across users and orgs regardless of case, emails unique among active users only, PATCH writing
 * the full profile, `admin`/`active` accepted but never shown, org rows that survive team removal
 * and block deletion, and the Owners team keeping its last member (spec/gogs-api.md §2–§6).
 */
export class InMemoryGitServer implements GitServer {
  private nextId = 1;
  private readonly users = new Map<string, StoredUser>();
  private readonly orgs = new Set<string>();
  private readonly orgRows = new Set<string>();
  private readonly teams: StoredTeam[] = [];
  writes = 0;

  constructor(readonly owner = 'root') {
    this.users.set(owner, this.newUser(owner, `${owner}@example.com`, 'Root'));
    this.mustUser(owner).admin = true;
  }

  async tokenOwner(): Promise<string> {
    return this.owner;
  }

  async listUsers(): Promise<GogsAccount[]> {
    return [...this.users.values()].map(({ id, username, email, fullName }) => ({
      id,
      username,
      email,
      fullName,
    }));
  }

  async getAccount(username: string): Promise<GogsAccount | undefined> {
    const user = this.users.get(username.toLowerCase());
    if (user) return { id: user.id, username: user.username, email: user.email, fullName: user.fullName };
    return this.orgs.has(username.toLowerCase()) ? { id: 0, username, email: '', fullName: '' } : undefined;
  }

  async listTeams(org: string): Promise<GogsTeam[] | undefined> {
    if (!this.orgs.has(org.toLowerCase())) return undefined;
    return this.teams
      .filter((t) => t.org.toLowerCase() === org.toLowerCase())
      .map(({ id, org: o, name, permission }) => ({ id, org: o, name, permission }));
  }

  async listTeamMembers(teamId: number): Promise<string[]> {
    const team = this.teams.find((t) => t.id === teamId);
    if (!team) throw new FakeGogsError(404, 'team not found', false);
    return [...team.members].map((lower) => this.mustUser(lower).username);
  }

  async listKeys(username: string): Promise<GogsSshKey[]> {
    return [...this.mustUser(username).keys];
  }

  async createUser(username: string, profile: UserProfile): Promise<GogsAccount> {
    this.writes++;
    if (usernameProblem(username)) throw new FakeGogsError(422, `name is not allowed: ${username}`);
    if (this.users.has(username.toLowerCase()) || this.orgs.has(username.toLowerCase())) {
      throw new UsernameTakenError(username);
    }
    this.assertEmailFree(profile.email.toLowerCase());
    const user = this.newUser(username, profile.email.toLowerCase(), profile.fullName);
    Object.assign(user, { sourceId: profile.sourceId, loginName: profile.loginName });
    this.users.set(username.toLowerCase(), user);
    return { id: user.id, username, email: user.email, fullName: user.fullName };
  }

  async updateUser(username: string, profile: UserProfile, flags: { active?: boolean; admin?: boolean }) {
    this.writes++;
    this.patch(this.mustUser(username), profile, flags);
  }

  async suspendUser(
    username: string,
    profile: UserProfile,
    managedTeams: GogsTeamRef[],
  ): Promise<ResidualAccess> {
    const user = this.mustUser(username);
    for (const ref of managedTeams) {
      const team = this.findTeam(ref);
      if (team?.members.has(user.username.toLowerCase())) await this.removeTeamMember(ref, username);
    }
    this.writes += user.keys.length;
    user.keys = [];
    user.passwordVersion++;
    this.writes++;
    this.patch(user, profile, { active: false, admin: false });
    return this.residual(user, managedTeams);
  }

  async restoreUser(username: string, profile: UserProfile): Promise<void> {
    await this.updateUser(username, profile, { active: true });
  }

  async deleteUser(username: string, profile: UserProfile, managedTeams: GogsTeamRef[]) {
    const residual = await this.suspendUser(username, profile, managedTeams);
    const user = this.mustUser(username);
    this.writes++;
    if (user.repos.length > 0)
      return { deleted: false as const, residual, refusal: 'user still has repository ownership' };
    if ([...this.orgRows].some((row) => row.startsWith(`${user.username.toLowerCase()}@`))) {
      return { deleted: false as const, residual, refusal: 'user still has organization membership' };
    }
    this.users.delete(username.toLowerCase());
    return { deleted: true as const };
  }

  async createOrg(org: string): Promise<void> {
    this.writes++;
    const lower = org.toLowerCase();
    if (usernameProblem(org)) throw new FakeGogsError(422, `name is not allowed: ${lower}`);
    if (this.orgs.has(lower) || this.users.has(lower))
      throw new FakeGogsError(422, `user already exists: ${org}`);
    this.orgs.add(lower);
    const owners: StoredTeam = {
      id: this.nextId++,
      org,
      name: 'Owners',
      permission: 'owner',
      members: new Set(),
    };
    owners.members.add(this.owner.toLowerCase());
    this.teams.push(owners);
    this.orgRows.add(`${this.owner.toLowerCase()}@${lower}`);
  }

  async createTeam(
    org: string,
    team: string,
    permission: Exclude<TeamPermission, 'owner'>,
  ): Promise<GogsTeam> {
    this.writes++;
    if (!this.orgs.has(org.toLowerCase())) throw new FakeGogsError(404, 'org not found', false);
    if (team.toLowerCase() === 'new') throw new FakeGogsError(500, 'name is not allowed', false);
    if (this.findTeam({ org, team })) throw new FakeGogsError(422, `team already exists: ${team}`);
    const stored: StoredTeam = { id: this.nextId++, org, name: team, permission, members: new Set() };
    this.teams.push(stored);
    return { id: stored.id, org, name: team, permission };
  }

  async addTeamMember(ref: GogsTeamRef, username: string): Promise<void> {
    this.writes++;
    const team = this.mustTeam(ref);
    const user = this.mustUser(username);
    team.members.add(user.username.toLowerCase());
    // Gogs adds a private org row that no API removes (spec/gogs-api.md §4.3).
    this.orgRows.add(`${user.username.toLowerCase()}@${team.org.toLowerCase()}`);
  }

  async removeTeamMember(ref: GogsTeamRef, username: string): Promise<void> {
    this.writes++;
    const team = this.mustTeam(ref);
    const lower = username.toLowerCase();
    if (team.permission === 'owner' && team.members.size === 1 && team.members.has(lower)) {
      throw new FakeGogsError(500, 'user is the last member of owner team', false);
    }
    team.members.delete(lower);
  }

  // --- test backdoors: what only Gogs' database or web UI could see or do ---

  hidden(username: string): HiddenState {
    const { active, admin, sourceId, loginName, passwordVersion } = this.mustUser(username);
    return { active, admin, sourceId, loginName, passwordVersion };
  }

  /** An out-of-band change in the web UI, invisible to the API. */
  setHidden(username: string, fields: Partial<Pick<StoredUser, 'active' | 'admin'>>): void {
    Object.assign(this.mustUser(username), fields);
  }

  addKey(username: string, title = 'laptop'): void {
    this.mustUser(username).keys.push({ id: this.nextId++, title });
  }

  addRepo(username: string, name: string, isPrivate: boolean): void {
    this.mustUser(username).repos.push({ name, private: isPrivate });
  }

  /** An account made outside the sync (a local service account, or a pre-existing user). */
  addUnmanaged(username: string, email: string, fullName = username): void {
    this.users.set(username.toLowerCase(), this.newUser(username, email, fullName));
  }

  /** An account deleted in the web UI or the database, behind the sync's back, with its memberships. */
  dropAccount(username: string): void {
    const lower = username.toLowerCase();
    this.users.delete(lower);
    for (const team of this.teams) team.members.delete(lower);
  }

  hasUser(username: string): boolean {
    return this.users.has(username.toLowerCase());
  }

  teamMembers(org: string, team: string): string[] {
    return [...(this.findTeam({ org, team })?.members ?? [])].sort();
  }

  allTeams(): GogsTeam[] {
    return this.teams.map(({ id, org, name, permission }) => ({ id, org, name, permission }));
  }

  private patch(user: StoredUser, profile: UserProfile, flags: { active?: boolean; admin?: boolean }): void {
    // Gogs compares the email case-sensitively and checks it only when it differs (spec §2.5).
    if (profile.email !== user.email) this.assertEmailFree(profile.email.toLowerCase());
    Object.assign(user, {
      email: profile.email,
      fullName: profile.fullName,
      sourceId: profile.sourceId,
      loginName: profile.loginName,
    });
    if (flags.active !== undefined) user.active = flags.active;
    if (flags.admin !== undefined) user.admin = flags.admin;
  }

  // Only active users' emails count; a case-only change collides with the user itself (spec §2.5).
  private assertEmailFree(lowerEmail: string): void {
    for (const other of this.users.values()) {
      if (other.active && other.email.toLowerCase() === lowerEmail) {
        throw new FakeGogsError(422, `email has been used: ${lowerEmail}`);
      }
    }
  }

  private residual(user: StoredUser, managedTeams: GogsTeamRef[]): ResidualAccess {
    const lower = user.username.toLowerCase();
    const managed = new Set(managedTeams.map((t) => `${t.org.toLowerCase()}/${t.team.toLowerCase()}`));
    return {
      accessTokens: 'possible',
      orgMemberships: [...this.orgRows]
        .filter((row) => row.startsWith(`${lower}@`))
        .map((row) => ({ org: row.slice(lower.length + 1), certainty: 'known' as const })),
      publicRepos: user.repos.filter((r) => !r.private).map((r) => r.name),
      privateRepos: 'unknown',
      collaborations: 'unknown',
      unmanagedTeams: this.teams
        .filter((t) => t.members.has(lower) && !managed.has(`${t.org.toLowerCase()}/${t.name.toLowerCase()}`))
        .map((t) => ({ org: t.org, team: t.name, removed: false })),
    };
  }

  private newUser(username: string, email: string, fullName: string): StoredUser {
    return {
      id: this.nextId++,
      username,
      email,
      fullName,
      active: true,
      admin: false,
      sourceId: 0,
      loginName: '',
      passwordVersion: 1,
      keys: [],
      repos: [],
    };
  }

  private findTeam(ref: GogsTeamRef): StoredTeam | undefined {
    return this.teams.find(
      (t) => t.org.toLowerCase() === ref.org.toLowerCase() && t.name.toLowerCase() === ref.team.toLowerCase(),
    );
  }

  private mustTeam(ref: GogsTeamRef): StoredTeam {
    const team = this.findTeam(ref);
    if (!team) throw new FakeGogsError(404, `team ${ref.org}/${ref.team} not found`, false);
    return team;
  }

  private mustUser(username: string): StoredUser {
    const user = this.users.get(username.toLowerCase());
    if (!user) throw new FakeGogsError(404, `user ${username} not found`, false);
    return user;
  }
}
