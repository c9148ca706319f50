import { reqAdmin, reqToken } from '../auth.js';
import { type BoundForm, bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateOrgOption, EditOrgOption } from '../forms.js';
import type { Account } from '../model.js';
import { goQuote, isAlphaDashDot, usernameNotAllowed } from '../names.js';
import { orgJson, teamJson } from '../render.js';
import type { Router } from '../router.js';

/** Spec §3 and the team listing of §4.2. */
export function registerOrgRoutes(r: Router): void {
  r.add('POST', '/admin/users/:username/orgs', adminCreateOrg);
  r.add('GET', '/user/orgs', listMyOrgs);
  r.add('POST', '/user/orgs', createMyOrg);
  r.add('GET', '/users/:username/orgs', listUserOrgs);
  r.add('GET', '/orgs/:orgname', getOrg);
  r.add('PATCH', '/orgs/:orgname', editOrg);
  r.add('GET', '/orgs/:orgname/teams', listTeams);
}

function adminCreateOrg(c: ApiContext) {
  if (!reqAdmin(c)) return;
  const form = bind(c, CreateOrgOption);
  if (!form) return;
  const owner = c.store.accountByName(c.param(':username'));
  if (!owner) return c.notFound();
  createOrgForUser(c, form, owner);
}

function createMyOrg(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const form = bind(c, CreateOrgOption);
  if (!form) return;
  createOrgForUser(c, form, c.user);
}

function createOrgForUser(c: ApiContext, form: BoundForm, owner: Account) {
  const name = form.string('username');
  // v0.14.3 checks the org name in the handler, not by binding (spec §11).
  if (name === '' || [...name].length > 35 || !isAlphaDashDot(name)) {
    return c.errorStatus(422, `invalid org name: ${goQuote(name)}`);
  }
  const notAllowed = usernameNotAllowed(name);
  if (notAllowed) return c.errorStatus(422, notAllowed);
  if (c.store.accountByName(name)) return c.errorStatus(422, `user already exists: map[name:${name}]`);
  const org = c.store.createOrg(owner, {
    name,
    fullName: form.string('full_name'),
    description: form.string('description'),
    website: form.string('website'),
    location: form.string('location'),
  });
  c.json(201, orgJson(c.baseUrl, org, true));
}

function listMyOrgs(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  const uid = c.user.id;
  const orgs = c.store.orgUsers
    .filter((row) => row.uid === uid)
    .map((row) => c.store.accounts.get(row.orgId))
    .filter((org): org is Account => org !== undefined)
    .sort((a, b) => a.id - b.id);
  c.json(
    200,
    orgs.map((org) => orgJson(c.baseUrl, org)),
  );
}

/** Public memberships only, whoever asks (spec §3.4). */
function listUserOrgs(c: ApiContext) {
  const user = c.store.accountByName(c.param(':username'));
  if (!user) return c.notFound();
  const orgs = c.store.orgUsers
    .filter((row) => row.uid === user.id && row.isPublic)
    .map((row) => c.store.accounts.get(row.orgId))
    .filter((org): org is Account => org !== undefined)
    .sort((a, b) => a.id - b.id);
  c.json(
    200,
    orgs.map((org) => orgJson(c.baseUrl, org)),
  );
}

/** Token guard first, so a missing org is 401 for anonymous callers (spec §3.2). */
function orgFromParams(c: ApiContext): Account | undefined {
  if (!reqToken(c)) return undefined;
  const org = c.store.accountByName(c.param(':orgname'));
  if (!org) c.notFound();
  return org;
}

function getOrg(c: ApiContext) {
  const org = orgFromParams(c);
  if (!org) return;
  c.json(200, orgJson(c.baseUrl, org));
}

function editOrg(c: ApiContext) {
  const org = orgFromParams(c);
  if (!org || !c.user) return;
  const form = bind(c, EditOrgOption);
  if (!form) return;
  if (!c.store.isOrgOwner(org.id, c.user.id)) return c.status(403);
  org.fullName = form.string('full_name');
  org.description = form.string('description');
  org.website = form.string('website');
  org.location = form.string('location');
  org.updatedAt = c.store.now();
  c.json(200, orgJson(c.baseUrl, org, true));
}

function listTeams(c: ApiContext) {
  const org = orgFromParams(c);
  if (!org) return;
  c.json(200, c.store.teamsOf(org.id).map(teamJson));
}
