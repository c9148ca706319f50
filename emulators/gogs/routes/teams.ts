import { reqAdmin } from '../auth.js';
import { bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateTeamOption } from '../forms.js';
import type { AccessMode, Account, Team } from '../model.js';
import { teamJson, userJson } from '../render.js';
import type { Router } from '../router.js';

/** Spec §4.1, §4.3, §4.4 (all under the admin guard). */
export function registerTeamRoutes(r: Router): void {
  r.add('POST', '/admin/orgs/:orgname/teams', createTeam);
  r.add('GET', '/admin/teams/:teamid/members', listMembers);
  r.add('PUT', '/admin/teams/:teamid/members/:username', addMember);
  r.add('DELETE', '/admin/teams/:teamid/members/:username', removeMember);
  r.add('PUT', '/admin/teams/:teamid/repos/:reponame', addRepo);
  r.add('DELETE', '/admin/teams/:teamid/repos/:reponame', removeRepo);
}

/** `ParseAccessMode`: case-sensitive; anything but `write` and `admin` is read. */
export function parseAccessMode(permission: string): AccessMode {
  if (permission === 'write') return 'write';
  if (permission === 'admin') return 'admin';
  return 'read';
}

function createTeam(c: ApiContext) {
  if (!reqAdmin(c)) return;
  // orgAssignment runs before binding (spec §1.3); it does not check the account type.
  const org = c.store.accountByName(c.param(':orgname'));
  if (!org) return c.notFound();
  const form = bind(c, CreateTeamOption);
  if (!form) return;
  const name = form.string('name');
  // `new` is reserved; the handler does not map that error, hence a 500.
  if (name.toLowerCase() === 'new') return c.serverError();
  const existing = c.store.teamByName(org.id, name);
  if (existing) {
    return c.errorStatus(
      422,
      `team already exists [id: ${existing.id}, org_id: ${org.id}, name: ${name.toLowerCase()}]`,
    );
  }
  const team = c.store.createTeam(
    org.id,
    name,
    form.string('description'),
    parseAccessMode(form.string('permission')),
  );
  c.json(201, teamJson(team));
}

/** Numeric `:teamid` (Go's `ParamsInt64`: anything else is 0, which never exists). */
function teamFromParams(c: ApiContext): Team | undefined {
  if (!reqAdmin(c)) return undefined;
  const raw = c.param(':teamid');
  const id = /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
  const team = c.store.teams.get(id);
  if (!team) c.notFound();
  return team;
}

function memberFromParams(c: ApiContext): Account | undefined {
  const user = c.store.accountByName(c.param(':username'));
  if (!user) c.notFound();
  return user;
}

function listMembers(c: ApiContext) {
  const team = teamFromParams(c);
  if (!team) return;
  const members = team.memberIds
    .map((id) => c.store.accounts.get(id))
    .filter((u): u is Account => u !== undefined)
    .map((u) => userJson(c.baseUrl, u, { showEmail: true, rawFullName: true }));
  c.json(200, members);
}

function addMember(c: ApiContext) {
  const team = teamFromParams(c);
  if (!team) return;
  const user = memberFromParams(c);
  if (!user) return;
  c.store.addTeamMember(team, user.id);
  c.status(204);
}

function removeMember(c: ApiContext) {
  const team = teamFromParams(c);
  if (!team) return;
  const user = memberFromParams(c);
  if (!user) return;
  // `user is the last member of owner team [uid: N]` is not mapped by the handler: 500.
  if (c.store.removeTeamMember(team, user.id) === 'lastOwner') return c.serverError();
  c.status(204);
}

function repoFromParams(c: ApiContext, team: Team) {
  const repo = c.store.repoByName(team.orgId, c.param(':reponame'));
  if (!repo) c.notFound();
  return repo;
}

function addRepo(c: ApiContext) {
  const team = teamFromParams(c);
  if (!team) return;
  const repo = repoFromParams(c, team);
  if (!repo) return;
  if (!team.repoIds.includes(repo.id)) team.repoIds.push(repo.id);
  c.status(204);
}

function removeRepo(c: ApiContext) {
  const team = teamFromParams(c);
  if (!team) return;
  const repo = repoFromParams(c, team);
  if (!repo) return;
  team.repoIds = team.repoIds.filter((id) => id !== repo.id);
  c.status(204);
}
