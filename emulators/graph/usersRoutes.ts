import { type Ctx, type Emulator, ROLES, type Route } from './context.js';
import { getEntity, listEntities, USERS } from './entityReads.js';
import { type GraphHttpError, parseJsonBody, sendEmpty, sendJson } from './http.js';
import {
  badRequest,
  pageOf,
  parseSelect,
  parseTop,
  project,
  type Row,
  rejectUnsupportedOptions,
} from './odata.js';
import { defaultsFor, GROUP_PROPS, objectRow, USER_DEFAULT, USER_PROPS, userRow } from './shapes.js';
import type { UserRecord } from './types.js';

const WRITABLE = [
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mailNickname',
  'userPrincipalName',
  'accountEnabled',
  'jobTitle',
  'userType',
  'onPremisesSamAccountName',
];
const IGNORED_ON_WRITE = ['passwordProfile', 'usageLocation', 'passwordPolicies', '@odata.type'];
const MEMBER_OF_PROPS = [...new Set([...USER_PROPS, ...GROUP_PROPS])];

function invalidValue(prop: string): GraphHttpError {
  return badRequest(`Invalid value specified for property '${prop}' of resource 'User'.`);
}

/** Validates a POST/PATCH body; returns the properties to store. */
export function validateUserWrite(em: Emulator, body: Row, existing: UserRecord | null): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(body)) {
    if (IGNORED_ON_WRITE.includes(k)) continue;
    if (!WRITABLE.includes(k))
      throw badRequest(`Property '${k}' is read-only or does not exist on type 'microsoft.graph.user'.`);
    if (k === 'accountEnabled' && typeof v !== 'boolean') throw invalidValue(k);
    if (k === 'userType' && v !== 'Member' && v !== 'Guest') throw invalidValue(k);
    if (k !== 'accountEnabled' && v !== null && typeof v !== 'string') throw invalidValue(k);
    out[k] = v;
  }
  if (!existing) {
    for (const req of ['accountEnabled', 'displayName', 'mailNickname', 'userPrincipalName']) {
      if (out[req] === undefined || out[req] === null) throw invalidValue(req);
    }
    if (body.passwordProfile === undefined && out.userType !== 'Guest') throw invalidValue('passwordProfile');
  }
  const upn = out.userPrincipalName;
  if (typeof upn === 'string' && upn !== existing?.userPrincipalName) {
    const at = upn.lastIndexOf('@');
    const domain = upn.slice(at + 1).toLowerCase();
    if (at <= 0 || !em.directory.domains.some((d) => d.toLowerCase() === domain)) {
      throw badRequest(
        'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
      );
    }
    for (const o of em.directory.objects.values()) {
      if (
        o.kind === 'user' &&
        o.id !== existing?.id &&
        o.userPrincipalName.toLowerCase() === upn.toLowerCase()
      ) {
        throw badRequest('Another object with the same value for property userPrincipalName already exists.');
      }
    }
  }
  return out;
}

function listUsers(em: Emulator, ctx: Ctx): void {
  listEntities(em, ctx, USERS);
}

function getUser(em: Emulator, ctx: Ctx): void {
  getEntity(em, ctx, USERS, () => em.directory.findUser(ctx.params.id ?? ''));
}

function createUser(em: Emulator, ctx: Ctx): void {
  const props = validateUserWrite(em, parseJsonBody(ctx.body), null);
  const upn = props.userPrincipalName as string;
  const u: UserRecord = {
    kind: 'user',
    id: em.directory.newId(),
    displayName: props.displayName as string,
    givenName: (props.givenName as string | undefined) ?? null,
    surname: (props.surname as string | undefined) ?? null,
    mail: (props.mail as string | undefined) ?? null,
    mailNickname: props.mailNickname as string,
    userPrincipalName: upn,
    userType: (props.userType as 'Member' | 'Guest' | undefined) ?? 'Member',
    accountEnabled: props.accountEnabled as boolean,
    jobTitle: (props.jobTitle as string | undefined) ?? null,
    onPremisesSamAccountName: (props.onPremisesSamAccountName as string | undefined) ?? null,
    createdDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    deletedDateTime: null,
  };
  em.directory.insert(u);
  sendJson(
    ctx.res,
    201,
    {
      '@odata.context': `${em.baseUrl}/v1.0/$metadata#users/$entity`,
      ...project(userRow(u), null, USER_DEFAULT),
    },
    { location: `${em.baseUrl}/v1.0/users/${u.id}` },
  );
}

function updateUser(em: Emulator, ctx: Ctx): void {
  const existing = em.directory.fresh(resolveUserId(em, ctx.params.id ?? ''), 'user') as UserRecord;
  const props = validateUserWrite(em, parseJsonBody(ctx.body), existing);
  em.directory.update(existing.id, props);
  sendEmpty(ctx.res, 204);
}

/** Writes go to the current version: a UPN or id of an active user. */
function resolveUserId(em: Emulator, idOrUpn: string): string {
  const lower = idOrUpn.toLowerCase();
  for (const o of em.directory.objects.values()) {
    if (
      o.kind === 'user' &&
      o.deletedDateTime === null &&
      (o.id === idOrUpn || o.userPrincipalName.toLowerCase() === lower)
    )
      return o.id;
  }
  return idOrUpn;
}

/**
 * `memberOf`, `transitiveMemberOf` and its group cast. `$filter`, `$search` and `$count` on these
 * are advanced queries (ConsistencyLevel: eventual), which the emulator doesn't model: they answer 400.
 */
function memberOf(em: Emulator, ctx: Ctx, transitive: boolean, cast?: 'group'): void {
  rejectUnsupportedOptions(ctx.url, ['$select', '$top', '$skiptoken']);
  const select = cast
    ? parseSelect(ctx.url, GROUP_PROPS, 'group')
    : parseSelect(ctx.url, MEMBER_OF_PROPS, 'directoryObject');
  // A bad page size answers 400 before an unknown user's 404, like the other reads.
  parseTop(ctx.url, 100);
  const u = em.directory.findUser(ctx.params.id ?? '');
  const groups = transitive
    ? em.directory.transitiveMemberOf(u.id)
    : em.directory.listActive('group').filter((g) => g.kind === 'group' && g.members.has(u.id));
  const rows = groups.map((g) => project(objectRow(g, true), select, defaultsFor(g)));
  const set = cast ? 'directoryObjects/microsoft.graph.group' : 'directoryObjects';
  sendJson(ctx.res, 200, pageOf(em, ctx, rows, set, 100));
}

function checkMemberGroups(em: Emulator, ctx: Ctx): void {
  const body = parseJsonBody(ctx.body);
  const ids = body.groupIds;
  if (!Array.isArray(ids) || ids.some((x) => typeof x !== 'string'))
    throw badRequest("Invalid value specified for property 'groupIds'.");
  if (ids.length > 20) throw badRequest('The number of groupIds in the request exceeds the limit of 20.');
  const u = em.directory.findActive(resolveUserId(em, ctx.params.id ?? ''));
  const memberOfIds = new Set(em.directory.transitiveMemberOf(u.id).map((g) => g.id));
  sendJson(ctx.res, 200, {
    '@odata.context': `${em.baseUrl}/v1.0/$metadata#Collection(Edm.String)`,
    value: (ids as string[]).filter((id) => memberOfIds.has(id)),
  });
}

export function usersRoutes(em: Emulator): Route[] {
  const r = (method: string, template: string, roles: string[], handle: (ctx: Ctx) => void): Route => ({
    method,
    template,
    auth: 'graph',
    roles,
    handle,
  });
  return [
    r('GET', '/v1.0/users', ROLES.userRead, (ctx) => listUsers(em, ctx)),
    r('POST', '/v1.0/users', ROLES.userWrite, (ctx) => createUser(em, ctx)),
    r('GET', '/v1.0/users/{id}', ROLES.userRead, (ctx) => getUser(em, ctx)),
    r('PATCH', '/v1.0/users/{id}', ROLES.userWrite, (ctx) => updateUser(em, ctx)),
    r('DELETE', '/v1.0/users/{id}', ROLES.userWrite, (ctx) => {
      em.directory.softDelete(resolveUserId(em, ctx.params.id ?? ''));
      sendEmpty(ctx.res, 204);
    }),
    r('GET', '/v1.0/users/{id}/memberOf', ROLES.directoryRead, (ctx) => memberOf(em, ctx, false)),
    r('GET', '/v1.0/users/{id}/transitiveMemberOf', ROLES.membershipRead, (ctx) => memberOf(em, ctx, true)),
    r('GET', '/v1.0/users/{id}/transitiveMemberOf/microsoft.graph.group', ROLES.membershipRead, (ctx) =>
      memberOf(em, ctx, true, 'group'),
    ),
    r('POST', '/v1.0/users/{id}/checkMemberGroups', ROLES.directoryRead, (ctx) => checkMemberGroups(em, ctx)),
  ];
}
