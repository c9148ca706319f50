import { accessMode } from '../access.js';
import { reqAdmin, reqToken } from '../auth.js';
import { type BoundForm, bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateRepoOption } from '../forms.js';
import type { AccessMode, Account, Repository } from '../model.js';
import { repoNameNotAllowed } from '../names.js';
import { type Permission, repoJson } from '../render.js';
import type { Router } from '../router.js';

/** Spec §2.9 and §10: just enough repositories to exercise ownership and listing rules. */
export function registerRepoRoutes(r: Router): void {
  r.add('POST', '/admin/users/:username/repos', adminCreateRepo);
  r.add('POST', '/org/:org/repos', createOrgRepo);
  r.add('GET', '/users/:username/repos', (c) => listUserRepos(c, c.param(':username')));
  r.add('GET', '/orgs/:org/repos', (c) => listUserRepos(c, c.param(':org')));
  r.add('GET', '/user/repos', (c) => listUserRepos(c, c.user?.name ?? ''));
  r.add('POST', '/user/repos', createMyRepo);
  r.add('DELETE', '/repos/:username/:reponame', deleteRepo);
}

const FULL: Permission = { admin: true, push: true, pull: true };

function permissionOf(mode: AccessMode): Permission {
  return { admin: mode === 'admin' || mode === 'owner', push: mode !== 'read', pull: true };
}

function createRepo(c: ApiContext, form: BoundForm, owner: Account) {
  const name = form.string('name');
  // v0.14.3 checks for the repository directory before anything else: an existing name (any case)
  // is an unmapped error, hence 500, not the 422 "repository already exists" (spec §10 addendum).
  if (c.store.repoByName(owner.id, name)) return c.serverError();
  const limit = owner.maxRepoCreation;
  if (limit >= 0 && c.store.reposOf(owner.id).length >= limit) return c.serverError();
  const notAllowed = repoNameNotAllowed(name);
  if (notAllowed) return c.errorStatus(422, notAllowed);
  const repo = c.store.createRepo(owner.id, name, form.string('description'), form.bool('private'));
  c.json(201, repoJson(c.baseUrl, owner, repo, FULL));
}

function adminCreateRepo(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const form = bind(c, CreateRepoOption);
  if (!form) return;
  const owner = c.store.accountByName(c.param(':username'));
  if (!owner) return c.notFound();
  createRepo(c, form, owner);
}

function createMyRepo(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const form = bind(c, CreateRepoOption);
  if (!form) return;
  createRepo(c, form, c.user);
}

/** The caller must be in the org's Owners team; site admins are not exempt. */
function createOrgRepo(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const form = bind(c, CreateRepoOption);
  if (!form) return;
  const org = c.store.accountByName(c.param(':org'));
  if (org?.type !== 'org') return c.notFound();
  if (!c.store.isOrgOwner(org.id, c.user.id)) {
    return c.errorStatus(403, 'Given user is not owner of organization.');
  }
  createRepo(c, form, org);
}

/** Public repositories only unless the caller is the user; site admins included (spec §2.9). */
function listUserRepos(c: ApiContext, ownerName: string) {
  if (!reqToken(c) || !c.user) return;
  const caller = c.user;
  const owner = c.store.accountByName(ownerName);
  if (!owner) return c.notFound();
  const own = c.store.reposOf(owner.id).filter((repo) => {
    if (!repo.isPrivate || caller.id === owner.id) return true;
    // Org listings add the repositories of the caller's teams in that org.
    return (
      owner.type === 'org' &&
      c.store.teamsOf(owner.id).some((t) => t.memberIds.includes(caller.id) && t.repoIds.includes(repo.id))
    );
  });
  const out = own.map((repo) => repoJson(c.baseUrl, owner, repo, FULL));
  if (caller.id === owner.id) {
    // The user's own listing adds direct collaborations (not team access).
    for (const collab of c.store.collaborations.filter((row) => row.userId === owner.id)) {
      const repo = c.store.repos.get(collab.repoId);
      const repoOwner = repo ? c.store.accounts.get(repo.ownerId) : undefined;
      if (repo && repoOwner) out.push(repoJson(c.baseUrl, repoOwner, repo, permissionOf(collab.mode)));
    }
  }
  c.json(200, out);
}

/** `repoAssignment`: owner and repo by name, then the caller needs at least read access, else 404. */
function repoFromParams(c: ApiContext): { owner: Account; repo: Repository; mode: AccessMode } | undefined {
  const owner = c.store.accountByName(c.param(':username'));
  const repo = owner ? c.store.repoByName(owner.id, c.param(':reponame')) : undefined;
  const caller = c.user;
  let mode: AccessMode | undefined;
  if (repo && caller) mode = caller.isAdmin && c.isTokenAuth ? 'owner' : accessMode(c.store, caller.id, repo);
  if (!owner || !repo || !mode) {
    c.notFound();
    return undefined;
  }
  return { owner, repo, mode };
}

function deleteRepo(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const found = repoFromParams(c);
  if (!found) return;
  const { owner, repo, mode } = found;
  // reqRepoOwner(), then the handler's own org-ownership check.
  if (mode !== 'owner') return c.status(403);
  if (owner.type === 'org' && !c.store.isOrgOwner(owner.id, c.user.id)) {
    return c.errorStatus(403, 'Given user is not owner of organization.');
  }
  c.store.deleteRepo(repo.id);
  c.status(204);
}
