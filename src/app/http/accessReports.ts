import type { GogsAccount, GogsTeam, IdentityRecord, ManagedTeam } from '../../domain/types.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

/** What the reports read: the identities table and what Gogs' API can list (DESIGN §2.1). */
export interface ReportDeps {
  identities(): Promise<IdentityRecord[]>;
  teams: readonly ManagedTeam[];
  protectedUsers: ReadonlySet<string>;
  gogs: {
    tokenOwner(): Promise<string>;
    listUsers(): Promise<GogsAccount[]>;
    listTeams(org: string): Promise<GogsTeam[] | undefined>;
    listTeamMembers(teamId: number): Promise<string[]>;
  };
  now: number;
}

/**
 * `GET /api/reports/access` and `GET /api/reports/unmanaged` (the CLI's `report`):
 * - access: every managed user with their managed teams as Gogs shows them, the site-admin and
 *   active flags as last written (Gogs hides both), and their status — a quarterly access review;
 * - unmanaged: Gogs accounts neither managed nor protected (nor the token's owner).
 */
export async function buildReport(name: string, deps: ReportDeps): Promise<ApiResult> {
  if (name === 'access') return ok(await accessReport(deps));
  if (name === 'unmanaged') return ok(await unmanagedReport(deps));
  return apiError(404, 'notFound', `no report ${name}; use access or unmanaged`);
}

async function accessReport(deps: ReportDeps) {
  const identities = await deps.identities();
  const teamsOf = new Map<string, string[]>();
  for (const managed of deps.teams) {
    const team = (await deps.gogs.listTeams(managed.org))?.find(
      (t) => t.name.toLowerCase() === managed.team.toLowerCase(),
    );
    if (!team) continue;
    for (const member of await deps.gogs.listTeamMembers(team.id)) {
      const key = member.toLowerCase();
      teamsOf.set(key, [...(teamsOf.get(key) ?? []), `${team.org}/${team.name}`]);
    }
  }
  const users = identities
    .filter((identity) => identity.pending === undefined)
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((identity) => ({
      objectId: identity.objectId,
      username: identity.username,
      status: identity.status,
      siteAdmin: identity.written.admin ?? null,
      active: identity.written.active ?? null,
      teams: (teamsOf.get(identity.username.toLowerCase()) ?? []).sort(),
    }));
  return { at: new Date(deps.now).toISOString(), count: users.length, users };
}

async function unmanagedReport(deps: ReportDeps) {
  const [identities, owner, accounts] = await Promise.all([
    deps.identities(),
    deps.gogs.tokenOwner(),
    deps.gogs.listUsers(),
  ]);
  const managed = new Set(identities.map((identity) => identity.username.toLowerCase()));
  const accountsOut = accounts
    .filter((account) => {
      const name = account.username.toLowerCase();
      return !managed.has(name) && !deps.protectedUsers.has(name) && name !== owner.toLowerCase();
    })
    .sort((a, b) => a.username.localeCompare(b.username))
    .map((account) => ({
      id: account.id,
      username: account.username,
      email: account.email,
      fullName: account.fullName,
    }));
  return { at: new Date(deps.now).toISOString(), count: accountsOut.length, accounts: accountsOut };
}
