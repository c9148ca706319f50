import type { ResidualAccess, UserProfile } from '../domain/actions.js';
import type { GogsAccount, GogsSshKey, GogsTeam, TeamPermission } from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import { UsernameTakenError } from '../sync/errors.js';
import type { GitServer, GogsTeamRef } from '../sync/ports.js';
import { GogsApiError } from './gogsApiError.js';
import type { GogsClient } from './gogsClient.js';
import { unescapeHtml } from './html.js';
import { offboard } from './offboard.js';
import { randomPassword } from './password.js';

interface UserJson {
  id: number;
  username: string;
  email: string;
  full_name: string;
}

interface TeamJson {
  id: number;
  name: string;
  permission: TeamPermission;
}

export interface GogsServerOptions {
  /** UNMANAGED_TEAMS_ON_OFFBOARD: memberships of teams the mapping does not name. */
  unmanagedTeams: 'report' | 'remove';
  /**
   * First `limit` of the user listing; doubled while a page comes back full. The default lists
   * any instance this side of 65,536 accounts in one call: the limit only caps the SQL query.
   */
  listingLimit?: number;
}

const DEFAULT_LISTING_LIMIT = 65_536;

/**
 * The `GitServer` port on Gogs' API v1. Reads only what the API shows (DESIGN §2.1); every write
 * is safe to repeat, so a retried message or a lost response never does harm.
 */
export class GogsServer implements GitServer {
  private owner: string | undefined;
  private readonly teamIds = new Map<string, number>();

  constructor(
    readonly client: GogsClient,
    readonly options: GogsServerOptions,
  ) {}

  async tokenOwner(): Promise<string> {
    this.owner ??= (await this.client.call<UserJson>('GET', '/user')).body.username;
    return this.owner;
  }

  /** Gogs has no user list: `users/search?q=_` matches everyone, with no paging and no cap (spec §2.2, §2.7). */
  async listUsers(): Promise<GogsAccount[]> {
    for (let limit = this.options.listingLimit ?? DEFAULT_LISTING_LIMIT; ; limit *= 2) {
      const { body } = await this.client.call<{ ok: boolean; data: UserJson[] }>(
        'GET',
        `/users/search?q=_&limit=${limit}`,
        { route: '/users/search' },
      );
      if (!body?.ok) throw new GogsApiError(200, 'GET /users/search', 'the search answered ok: false');
      if (body.data.length < limit) return body.data.map(toAccount);
    }
  }

  async getAccount(username: string): Promise<GogsAccount | undefined> {
    const found = await this.client.call<UserJson>('GET', `/users/${enc(username)}`, {
      accept: [200, 404],
      route: '/users/:username',
    });
    return found.status === 200 ? toAccount(found.body) : undefined;
  }

  async listTeams(org: string): Promise<GogsTeam[] | undefined> {
    const found = await this.client.call<TeamJson[]>('GET', `/orgs/${enc(org)}/teams`, {
      accept: [200, 404],
      route: '/orgs/:orgname/teams',
    });
    if (found.status === 404) return undefined;
    return found.body.map((team) => {
      this.teamIds.set(teamKey(org, team.name), team.id);
      return { id: team.id, org, name: team.name, permission: team.permission };
    });
  }

  async listTeamMembers(teamId: number): Promise<string[]> {
    const { body } = await this.client.call<UserJson[]>('GET', `/admin/teams/${teamId}/members`, {
      route: '/admin/teams/:teamid/members',
    });
    return body.map((user) => user.username);
  }

  async listKeys(username: string): Promise<GogsSshKey[]> {
    const { body } = await this.client.call<{ id: number; title: string }[]>(
      'GET',
      `/users/${enc(username)}/keys`,
      {
        route: '/users/:username/keys',
      },
    );
    return body.map((key) => ({ id: key.id, title: key.title }));
  }

  async listPublicRepos(username: string): Promise<string[]> {
    const { body } = await this.client.call<{ name: string }[]>('GET', `/users/${enc(username)}/repos`, {
      route: '/users/:username/repos',
    });
    return body.map((repo) => repo.name);
  }

  async createUser(username: string, profile: UserProfile): Promise<GogsAccount> {
    const route = '/admin/users';
    const body = { ...patchFields(profile), username, password: randomPassword(), send_notify: false };
    try {
      return toAccount((await this.client.call<UserJson>('POST', route, { json: body, accept: [201] })).body);
    } catch (error) {
      if (
        error instanceof GogsApiError &&
        error.status === 422 &&
        /user already exists/.test(error.gogsMessage)
      ) {
        // Ours already, if a lost response hid our own create; anyone else's otherwise.
        const existing = await this.getAccount(username);
        if (existing && sameEmail(existing.email, profile.email)) return existing;
        throw new UsernameTakenError(username, { cause: error });
      }
      if (error instanceof GogsApiError && error.retryable) {
        const existing = await this.getAccount(username);
        if (existing && sameEmail(existing.email, profile.email)) return existing;
      }
      throw error;
    }
  }

  async updateUser(
    username: string,
    profile: UserProfile,
    flags: { active?: boolean; admin?: boolean; password?: string },
  ) {
    // PATCH writes every field it is sent and clears the omitted ones (spec §2.5).
    await this.client.call('PATCH', `/admin/users/${enc(username)}`, {
      json: { ...patchFields(profile), ...flags },
      route: '/admin/users/:username',
    });
  }

  async suspendUser(
    username: string,
    profile: UserProfile,
    managedTeams: GogsTeamRef[],
  ): Promise<ResidualAccess> {
    return offboard(this, username, profile, managedTeams);
  }

  async restoreUser(username: string, profile: UserProfile): Promise<void> {
    await this.updateUser(username, profile, { active: true });
  }

  async deleteUser(username: string, profile: UserProfile, managedTeams: GogsTeamRef[]) {
    const residual = await offboard(this, username, profile, managedTeams);
    const result = await this.client.call('DELETE', `/admin/users/${enc(username)}`, {
      accept: [204, 404, 422],
      route: '/admin/users/:username',
    });
    if (result.status !== 422) return { deleted: true as const };
    const refusal = (result.body as { message?: string } | undefined)?.message ?? 'Gogs refused the delete';
    if (/repository ownership/.test(refusal) && residual.publicRepos.length === 0)
      residual.privateRepos = 'present';
    const step = /organization membership/.test(refusal)
      ? 'remove the user from each org in the Gogs web UI (org → Members → remove), then retry the delete'
      : 'delete or transfer the repositories the user owns, then retry the delete';
    return { deleted: false as const, residual, refusal: `${refusal}; ${step}` };
  }

  async createOrg(org: string): Promise<void> {
    const owner = await this.tokenOwner();
    const created = await this.client.call('POST', `/admin/users/${enc(owner)}/orgs`, {
      json: { username: org },
      accept: [201, 422],
      route: '/admin/users/:username/orgs',
    });
    // A lost response: the org is there already. A user holding the name is not an org of ours.
    if (created.status === 422 && !(await this.listTeams(org))) {
      throw new GogsApiError(422, 'POST /admin/users/:username/orgs', messageOf(created.body));
    }
  }

  async createTeam(
    org: string,
    team: string,
    permission: Exclude<TeamPermission, 'owner'>,
  ): Promise<GogsTeam> {
    const created = await this.client.call<TeamJson>('POST', `/admin/orgs/${enc(org)}/teams`, {
      json: { name: team, permission },
      accept: [201, 422],
      route: '/admin/orgs/:orgname/teams',
    });
    if (created.status === 201) {
      this.teamIds.set(teamKey(org, team), created.body.id);
      return { id: created.body.id, org, name: created.body.name, permission: created.body.permission };
    }
    const existing = (await this.listTeams(org))?.find((t) => t.name.toLowerCase() === team.toLowerCase());
    if (!existing) throw new GogsApiError(422, 'POST /admin/orgs/:orgname/teams', messageOf(created.body));
    return existing;
  }

  async addTeamMember(team: GogsTeamRef, username: string): Promise<void> {
    await this.memberCall('PUT', team, username);
  }

  async removeTeamMember(team: GogsTeamRef, username: string): Promise<void> {
    await this.memberCall('DELETE', team, username);
  }

  /** The numeric id Gogs' team routes need, from a cached listing of the org's teams. */
  async teamId(ref: GogsTeamRef): Promise<number | undefined> {
    const key = teamKey(ref.org, ref.team);
    if (!this.teamIds.has(key)) await this.listTeams(ref.org);
    return this.teamIds.get(key);
  }

  private async memberCall(method: 'PUT' | 'DELETE', ref: GogsTeamRef, username: string): Promise<void> {
    const id = await this.teamId(ref);
    if (id === undefined)
      throw new GogsApiError(
        404,
        `${method} /admin/teams/:teamid/members/:username`,
        `no team ${ref.org}/${ref.team}`,
        { retryable: false },
      );
    const result = await this.client.call(method, `/admin/teams/${id}/members/${enc(username)}`, {
      accept: [204, 404],
      route: '/admin/teams/:teamid/members/:username',
    });
    if (result.status === 404) {
      // A stale cached id (the team was recreated) or a missing user: look again once.
      this.teamIds.delete(teamKey(ref.org, ref.team));
      const fresh = await this.teamId(ref);
      if (fresh === undefined || fresh === id) {
        throw new GogsApiError(
          404,
          `${method} /admin/teams/:teamid/members/:username`,
          `team ${ref.org}/${ref.team} or user ${username} not found`,
        );
      }
      await this.client.call(method, `/admin/teams/${fresh}/members/${enc(username)}`, {
        route: '/admin/teams/:teamid/members/:username',
      });
    }
  }
}

function patchFields(profile: UserProfile) {
  return {
    source_id: profile.sourceId,
    login_name: profile.loginName,
    full_name: profile.fullName,
    email: profile.email,
  };
}

function toAccount(user: UserJson): GogsAccount {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    fullName: unescapeHtml(user.full_name ?? ''),
  };
}

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function messageOf(body: unknown): string {
  return (body as { message?: string } | undefined)?.message ?? JSON.stringify(body ?? '');
}

const enc = encodeURIComponent;
