import type { Ctx, Emulator } from './context.js';
import { sendJson } from './http.js';
import {
  pageOf,
  parseFilter,
  parseSelect,
  project,
  type Row,
  rejectUnsupportedOptions,
  selectSuffix,
} from './odata.js';
import {
  GROUP_DEFAULT,
  GROUP_FILTERABLE,
  GROUP_PROPS,
  groupRow,
  USER_DEFAULT,
  USER_FILTERABLE,
  USER_PROPS,
  userRow,
} from './shapes.js';
import type { DirectoryObject, GroupRecord, UserRecord } from './types.js';

/** What differs between `/users` and `/groups` reads: the entity set and its properties. */
interface EntitySet {
  kind: 'user' | 'group';
  set: 'users' | 'groups';
  props: readonly string[];
  defaults: readonly string[];
  filterable: readonly string[];
  filterName: 'User' | 'Group';
  row(record: DirectoryObject): Row;
}

export const USERS: EntitySet = {
  kind: 'user',
  set: 'users',
  props: USER_PROPS,
  defaults: USER_DEFAULT,
  filterable: USER_FILTERABLE,
  filterName: 'User',
  row: (record) => userRow(record as UserRecord),
};

export const GROUPS: EntitySet = {
  kind: 'group',
  set: 'groups',
  props: GROUP_PROPS,
  defaults: GROUP_DEFAULT,
  filterable: GROUP_FILTERABLE,
  filterName: 'Group',
  row: (record) => groupRow(record as GroupRecord),
};

/** `GET /users` or `/groups`: `$select`, `$filter` where Graph supports it, `$top`, paging. */
export function listEntities(em: Emulator, ctx: Ctx, entity: EntitySet): void {
  rejectUnsupportedOptions(ctx.url, ['$select', '$filter', '$top', '$skiptoken', '$count']);
  const select = parseSelect(ctx.url, entity.props, entity.kind);
  const filterText = ctx.url.searchParams.get('$filter');
  const filter = filterText ? parseFilter(filterText, entity.filterable, entity.filterName) : null;
  const rows = em.directory
    .listActive(entity.kind)
    .map((record) => entity.row(record))
    .filter((r) => !filter || filter(r))
    .map((r) => project(r, select, entity.defaults));
  sendJson(ctx.res, 200, pageOf(em, ctx, rows, selectSuffix(entity.set, select), 100));
}

/** `GET /users/{id}` or `/groups/{id}` with `$select`; a bad query answers 400 before a lookup's 404. */
export function getEntity(em: Emulator, ctx: Ctx, entity: EntitySet, find: () => DirectoryObject): void {
  rejectUnsupportedOptions(ctx.url, ['$select']);
  const select = parseSelect(ctx.url, entity.props, entity.kind);
  const record = find();
  sendJson(ctx.res, 200, {
    '@odata.context': `${em.baseUrl}/v1.0/$metadata#${selectSuffix(entity.set, select)}/$entity`,
    ...project(entity.row(record), select, entity.defaults),
  });
}
