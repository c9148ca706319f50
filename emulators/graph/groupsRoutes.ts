import { type Ctx, type Emulator, ROLES, type Route } from './context.js';
import { notFound } from './directory.js';
import { GROUPS, getEntity, listEntities } from './entityReads.js';
import { parseJsonBody, sendEmpty, sendJson } from './http.js';
import {
  badRequest,
  pageOf,
  parseFilter,
  parseSelect,
  project,
  type Row,
  rejectUnsupportedOptions,
} from './odata.js';
import {
  defaultsFor,
  GROUP_DEFAULT,
  GROUP_FILTERABLE,
  GROUP_PROPS,
  groupRow,
  objectRow,
  USER_FILTERABLE,
  USER_PROPS,
} from './shapes.js';
import type { DirectoryObject, GroupRecord } from './types.js';

const WRITABLE: Record<string, 'string' | 'boolean' | 'strings'> = {
  displayName: 'string',
  description: 'string',
  mailNickname: 'string',
  securityEnabled: 'boolean',
  mailEnabled: 'boolean',
  groupTypes: 'strings',
  isAssignableToRole: 'boolean',
  membershipRule: 'string',
  membershipRuleProcessingState: 'string',
  visibility: 'string',
};
const MEMBER_PROPS = [...new Set([...USER_PROPS, ...GROUP_PROPS])];
const MEMBER_FILTERABLE = [...new Set([...USER_FILTERABLE, ...GROUP_FILTERABLE])];

function validateGroupWrite(body: Row, creating: boolean): { props: Row; binds: string[] } {
  const props: Row = {};
  let binds: string[] = [];
  for (const [k, v] of Object.entries(body)) {
    if (k === 'owners@odata.bind' || k === '@odata.type') continue;
    if (k === 'members@odata.bind' && creating) {
      if (!Array.isArray(v)) throw badRequest("Invalid value specified for property 'members@odata.bind'.");
      binds = v.map((x) => idFromODataId(String(x)));
      continue;
    }
    const type = WRITABLE[k];
    if (!type)
      throw badRequest(`Property '${k}' is read-only or does not exist on type 'microsoft.graph.group'.`);
    const ok =
      (type === 'boolean' && typeof v === 'boolean') ||
      (type === 'string' && (typeof v === 'string' || v === null)) ||
      (type === 'strings' && Array.isArray(v) && v.every((x) => typeof x === 'string'));
    if (!ok) throw badRequest(`Invalid value specified for property '${k}' of resource 'Group'.`);
    if (k === 'isAssignableToRole' && !creating)
      throw badRequest('Property isAssignableToRole can only be set at creation.');
    props[k] = v;
  }
  if (creating) {
    for (const req of ['displayName', 'mailEnabled', 'mailNickname', 'securityEnabled']) {
      if (props[req] === undefined || props[req] === null)
        throw badRequest(`Invalid value specified for property '${req}' of resource 'Group'.`);
    }
  }
  return { props, binds };
}

/** `https://graph.microsoft.com/v1.0/directoryObjects/{id}` (or users/groups/…) → id. */
function idFromODataId(ref: string): string {
  const m =
    /\/(?:directoryObjects|users|groups)\/([^/?]+)$/.exec(ref.replace(/\/\$ref$/, '')) ??
    /^([0-9a-f-]{36})$/i.exec(ref);
  if (!m?.[1]) throw badRequest(`Invalid object identifier '${ref}'.`);
  return decodeURIComponent(m[1]);
}

function listGroups(em: Emulator, ctx: Ctx): void {
  listEntities(em, ctx, GROUPS);
}

function getGroup(em: Emulator, ctx: Ctx): void {
  getEntity(em, ctx, GROUPS, () => em.directory.findGroup(ctx.params.id ?? ''));
}

function createGroup(em: Emulator, ctx: Ctx): void {
  const { props, binds } = validateGroupWrite(parseJsonBody(ctx.body), true);
  const g: GroupRecord = {
    kind: 'group',
    id: em.directory.newId(),
    displayName: props.displayName as string,
    description: (props.description as string | undefined) ?? null,
    mailNickname: props.mailNickname as string,
    mail: props.mailEnabled
      ? `${props.mailNickname as string}@${em.directory.domains[0] ?? 'contoso.com'}`
      : null,
    securityEnabled: props.securityEnabled as boolean,
    mailEnabled: props.mailEnabled as boolean,
    groupTypes: (props.groupTypes as string[] | undefined) ?? [],
    isAssignableToRole: (props.isAssignableToRole as boolean | undefined) ?? false,
    membershipRule: (props.membershipRule as string | undefined) ?? null,
    createdDateTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    deletedDateTime: null,
    members: new Set(),
  };
  for (const id of binds) em.directory.fresh(id);
  em.directory.insert(g);
  for (const id of binds) em.directory.addMember(g.id, id);
  sendJson(
    ctx.res,
    201,
    {
      '@odata.context': `${em.baseUrl}/v1.0/$metadata#groups/$entity`,
      ...project(groupRow(g), null, GROUP_DEFAULT),
    },
    { location: `${em.baseUrl}/v1.0/groups/${g.id}` },
  );
}

/** What `$select` and `$filter` may name on a member listing: a cast narrows it to that type's properties. */
const MEMBER_OPTIONS = {
  any: { props: MEMBER_PROPS, filterable: MEMBER_FILTERABLE, type: 'directoryObject' },
  user: { props: USER_PROPS, filterable: USER_FILTERABLE, type: 'user' },
  group: { props: GROUP_PROPS, filterable: GROUP_FILTERABLE, type: 'group' },
} as const;

function members(em: Emulator, ctx: Ctx, transitive: boolean, cast?: DirectoryObject['kind']): void {
  rejectUnsupportedOptions(ctx.url, ['$select', '$top', '$skiptoken', '$filter', '$count']);
  const options = MEMBER_OPTIONS[cast ?? 'any'];
  const select = parseSelect(ctx.url, options.props, options.type);
  const filterText = ctx.url.searchParams.get('$filter');
  const filter = filterText ? parseFilter(filterText, options.filterable, 'DirectoryObject') : null;
  const id = ctx.params.id ?? '';
  const objects = transitive ? em.directory.transitiveMembers(id) : em.directory.directMembers(id);
  const rows = objects
    .filter((o) => !cast || o.kind === cast)
    .map((o) => ({ o, row: objectRow(o, true) }))
    .filter(({ row }) => !filter || filter(row))
    .map(({ o, row }) => project(row, select, defaultsFor(o)));
  const set = cast ? `directoryObjects/microsoft.graph.${cast}` : 'directoryObjects';
  sendJson(ctx.res, 200, pageOf(em, ctx, rows, set, 100));
}

function addMember(em: Emulator, ctx: Ctx): void {
  const body = parseJsonBody(ctx.body);
  const ref = body['@odata.id'];
  if (typeof ref !== 'string') throw badRequest("Invalid value specified for property '@odata.id'.");
  const memberId = idFromODataId(ref);
  const group = em.directory.fresh(ctx.params.id ?? '', 'group') as GroupRecord;
  const member = em.directory.fresh(memberId);
  if (group.members.has(member.id)) {
    throw badRequest(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
  }
  if (member.id === group.id) throw badRequest('A group cannot be added as a member of itself.');
  if (member.kind === 'group' && group.isAssignableToRole) {
    throw badRequest('Groups with isAssignableToRole set cannot have groups as members.');
  }
  if (group.membershipRule !== null && group.groupTypes.includes('DynamicMembership')) {
    throw badRequest(
      'Insufficient privileges to complete the operation. Members of a dynamic group are managed by its rule.',
    );
  }
  em.directory.addMember(group.id, member.id);
  sendEmpty(ctx.res, 204);
}

export function groupsRoutes(em: Emulator): Route[] {
  const r = (method: string, template: string, roles: string[], handle: (ctx: Ctx) => void): Route => ({
    method,
    template,
    auth: 'graph',
    roles,
    handle,
  });
  return [
    r('GET', '/v1.0/groups', ROLES.groupRead, (ctx) => listGroups(em, ctx)),
    r('POST', '/v1.0/groups', ROLES.groupWrite, (ctx) => createGroup(em, ctx)),
    r('GET', '/v1.0/groups/{id}', ROLES.groupRead, (ctx) => getGroup(em, ctx)),
    r('PATCH', '/v1.0/groups/{id}', ROLES.groupWrite, (ctx) => {
      const existing = em.directory.fresh(ctx.params.id ?? '', 'group');
      em.directory.update(existing.id, validateGroupWrite(parseJsonBody(ctx.body), false).props);
      sendEmpty(ctx.res, 204);
    }),
    r('DELETE', '/v1.0/groups/{id}', ROLES.groupWrite, (ctx) => {
      const g = em.directory.fresh(ctx.params.id ?? '', 'group') as GroupRecord;
      // Microsoft 365 groups are soft-deleted; security groups are deleted permanently at once (spec §7).
      if (g.groupTypes.includes('Unified')) em.directory.softDelete(g.id);
      else em.directory.purge(g.id);
      sendEmpty(ctx.res, 204);
    }),
    r('GET', '/v1.0/groups/{id}/members', ROLES.groupRead, (ctx) => members(em, ctx, false)),
    r('GET', '/v1.0/groups/{id}/members/microsoft.graph.user', ROLES.groupRead, (ctx) =>
      members(em, ctx, false, 'user'),
    ),
    r('GET', '/v1.0/groups/{id}/members/microsoft.graph.group', ROLES.groupRead, (ctx) =>
      members(em, ctx, false, 'group'),
    ),
    r('GET', '/v1.0/groups/{id}/transitiveMembers', ROLES.groupRead, (ctx) => members(em, ctx, true)),
    r('GET', '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user', ROLES.groupRead, (ctx) =>
      members(em, ctx, true, 'user'),
    ),
    r('GET', '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.group', ROLES.groupRead, (ctx) =>
      members(em, ctx, true, 'group'),
    ),
    r('POST', '/v1.0/groups/{id}/members/$ref', ROLES.memberWrite, (ctx) => addMember(em, ctx)),
    r('DELETE', '/v1.0/groups/{id}/members/{memberId}/$ref', ROLES.memberWrite, (ctx) => {
      const g = em.directory.fresh(ctx.params.id ?? '', 'group') as GroupRecord;
      const memberId = ctx.params.memberId ?? '';
      if (!g.members.has(memberId)) throw notFound(memberId);
      em.directory.removeMember(g.id, memberId);
      sendEmpty(ctx.res, 204);
    }),
  ];
}
