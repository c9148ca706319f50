import { type Ctx, type Emulator, ROLES, type Route } from './context.js';
import { GraphHttpError, sendJson } from './http.js';
import { link, parseSelect, parseTop, project, type Row, unsupported } from './odata.js';
import {
  GROUP_DEFAULT,
  GROUP_PROPS,
  groupRow,
  odataType,
  USER_DEFAULT,
  USER_PROPS,
  userRow,
} from './shapes.js';
import type { DirectoryChange, DirectoryObject, GroupRecord, ObjectKind } from './types.js';

interface DeltaState {
  k: ObjectKind;
  /** Changes after `f` up to `s` (f = -1: initial full sync at s). */
  f: number;
  s: number;
  o: number;
  sel: string[] | null;
  ids: string[] | null;
  /** Issued at (ms) and directory epoch. */
  t: number;
  e: string;
  /** Empty pages already served in this round (fault injection). */
  x?: number;
}

const MAX_IDS = 50;

function encode(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function badToken(): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', 'Badly formed token.');
}

function decode(token: string): DeltaState {
  try {
    const s = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
    if ((s.k === 'user' || s.k === 'group') && typeof s.s === 'number' && typeof s.t === 'number') return s;
  } catch {
    // below
  }
  throw badToken();
}

/** `id eq 'a' or id eq 'b'` (spec §5: the `or` form, at most 50 ids). */
function parseIdFilter(text: string | null): string[] | null {
  if (text === null) return null;
  const ids: string[] = [];
  for (const part of text.split(/\s+or\s+/i)) {
    const m = /^\s*id\s+eq\s+'([^']+)'\s*$/i.exec(part);
    if (!m?.[1]) throw unsupported("Delta query only supports $filter by id: id eq '…' or id eq '…'.");
    ids.push(m[1]);
  }
  if (ids.length > MAX_IDS) throw unsupported(`Delta query $filter supports at most ${MAX_IDS} ids.`);
  return ids;
}

function shape(kind: ObjectKind) {
  return kind === 'user'
    ? {
        path: '/v1.0/users/delta',
        props: [...USER_PROPS] as string[],
        defaults: USER_DEFAULT as readonly string[],
      }
    : {
        path: '/v1.0/groups/delta',
        props: [...GROUP_PROPS, 'members'],
        defaults: GROUP_DEFAULT as readonly string[],
      };
}

function membersTracked(state: DeltaState): boolean {
  return state.k === 'group' && (state.sel === null || state.sel.includes('members'));
}

function fullRow(state: DeltaState, o: DirectoryObject, onlyProps?: string[]): Row {
  const { defaults } = shape(state.k);
  const sel = state.sel?.filter((p) => p !== 'members') ?? null;
  const row = o.kind === 'user' ? userRow(o) : groupRow(o);
  if (onlyProps) {
    const out: Row = { id: o.id };
    for (const p of onlyProps) if ((sel ?? defaults).includes(p)) out[p] = row[p] ?? null;
    return out;
  }
  return project(row, sel, defaults);
}

function memberEntries(em: Emulator, g: GroupRecord): Row[] {
  const out: Row[] = [];
  for (const id of g.members) {
    const m = em.directory.objects.get(id);
    if (m && m.deletedDateTime === null) out.push({ '@odata.type': odataType(m), id });
  }
  return out;
}

function initialItems(em: Emulator, state: DeltaState): Row[] {
  const items: Row[] = [];
  for (const o of em.directory.objects.values()) {
    if (o.kind !== state.k || o.deletedDateTime !== null) continue;
    if (state.ids && !state.ids.includes(o.id)) continue;
    const row = fullRow(state, o);
    if (o.kind === 'group' && membersTracked(state)) row['members@delta'] = memberEntries(em, o);
    items.push(row);
  }
  return items;
}

function changedItems(em: Emulator, state: DeltaState, minimal: boolean): Row[] {
  const byId = new Map<
    string,
    { props: Set<string>; existence: boolean; members: DirectoryChange['members'] }
  >();
  for (const c of em.directory.log) {
    if (c.seq <= state.f || c.seq > state.s || c.kind !== state.k) continue;
    if (state.ids && !state.ids.includes(c.id)) continue;
    const acc = byId.get(c.id) ?? { props: new Set<string>(), existence: false, members: [] };
    byId.delete(c.id); // re-insert: order by last change
    for (const p of c.props) acc.props.add(p);
    if (c.op !== 'updated' && c.op !== 'members') acc.existence = true;
    acc.members.push(...c.members);
    byId.set(c.id, acc);
  }
  // Only selected properties are tracked (spec §5); without $select, every property is.
  const tracked = state.sel ?? shape(state.k).props;
  const items: Row[] = [];
  for (const [id, acc] of byId) {
    const o = em.directory.objects.get(id);
    if (!o) {
      items.push({ id, '@removed': { reason: 'deleted' } });
      continue;
    }
    if (o.deletedDateTime !== null) {
      // Soft-deleted: restorable from deletedItems (spec §5).
      items.push({ id, '@removed': { reason: 'changed' } });
      continue;
    }
    const propsChanged = [...acc.props].filter((p) => tracked.includes(p));
    const memberChanges = membersTracked(state) ? acc.members : [];
    if (!acc.existence && propsChanged.length === 0 && memberChanges.length === 0) continue;
    const row = minimal && !acc.existence ? fullRow(state, o, propsChanged) : fullRow(state, o);
    if (o.kind === 'group' && membersTracked(state)) {
      if (acc.existence) row['members@delta'] = memberEntries(em, o);
      else if (memberChanges.length > 0)
        row['members@delta'] = memberChanges.map((m) => ({
          '@odata.type': m.memberKind === 'user' ? '#microsoft.graph.user' : '#microsoft.graph.group',
          id: m.id,
          ...(m.removed ? { '@removed': { reason: 'deleted' } } : {}),
        }));
    }
    items.push(row);
  }
  return items;
}

function expired(em: Emulator, state: DeltaState): boolean {
  return (
    state.e !== em.directory.epoch ||
    state.t < em.faults.deltaExpiredBefore ||
    Date.now() - state.t > em.faults.timing.deltaTokenLifetimeMs
  );
}

function gone(em: Emulator, state: DeltaState): GraphHttpError {
  const { path } = shape(state.k);
  if (em.faults.deltaExpiryStyle === 'resync') {
    const params: Array<[string, string]> = state.sel ? [['$select', state.sel.join(',')]] : [];
    params.push(['$deltatoken', '']);
    return new GraphHttpError(
      410,
      'resyncRequired',
      'Resync required. Replace any local cached data with a full sync.',
      {
        location: link(em, path, params),
      },
    );
  }
  return new GraphHttpError(
    410,
    'syncStateNotFound',
    'The sync state generation is not found. Please resync.',
  );
}

function respond(em: Emulator, ctx: Ctx, state: DeltaState, pageSize: number): void {
  const { path } = shape(state.k);
  const minimal = /return=minimal/i.test(String(ctx.req.headers.prefer ?? ''));
  const items = state.f < 0 ? initialItems(em, state) : changedItems(em, state, minimal);
  const slice = items.slice(state.o, state.o + pageSize);
  const body: Row = {
    '@odata.context': `${em.baseUrl}/v1.0/$metadata#${state.k === 'user' ? 'users' : 'groups'}(${state.sel?.join(',') ?? '*'})`,
  };
  const empties = state.x ?? 0;
  if (state.o + pageSize < items.length) {
    const next = encode({ ...state, o: state.o + pageSize });
    body['@odata.nextLink'] = link(em, path, [['$skiptoken', next]]);
  } else if (pageSize > 0 && empties < em.faults.deltaEmptyPages) {
    // Graph may serve empty pages that still carry a nextLink (spec §5).
    const next = encode({ ...state, o: items.length, x: empties + 1 });
    body['@odata.nextLink'] = link(em, path, [['$skiptoken', next]]);
  } else {
    const token = encode({ ...state, f: state.s, o: 0, t: Date.now(), x: 0 });
    body['@odata.deltaLink'] = link(em, path, [['$deltatoken', token]]);
  }
  body.value = slice;
  sendJson(ctx.res, 200, body, minimal ? { 'preference-applied': 'return=minimal' } : {});
}

function handleDelta(em: Emulator, ctx: Ctx, kind: ObjectKind): void {
  const q = ctx.url.searchParams;
  const pageSize = parseTop(ctx.url, em.faults.timing.deltaPageSize);
  for (const key of q.keys()) {
    if (key.startsWith('$') && !['$select', '$filter', '$deltatoken', '$skiptoken', '$top'].includes(key))
      throw unsupported(`Query option '${key}' is not supported with delta.`);
  }
  const deltaToken = q.get('$deltatoken');
  const skipToken = q.get('$skiptoken');
  if (skipToken !== null || (deltaToken !== null && deltaToken !== '' && deltaToken !== 'latest')) {
    if (q.has('$select') && skipToken !== null)
      throw unsupported('$select is not supported together with $skiptoken.');
    const state = decode(skipToken ?? deltaToken ?? '');
    if (expired(em, state)) throw gone(em, state);
    // A deltaLink starts a new round: changes after its position up to now; nextLinks keep the round's bounds.
    respond(em, ctx, skipToken === null ? { ...state, s: em.directory.currentSeq, o: 0 } : state, pageSize);
    return;
  }
  const sel = parseSelect(ctx.url, shape(kind).props, kind);
  const ids = parseIdFilter(q.get('$filter'));
  const base = { k: kind, o: 0, sel, ids, t: Date.now(), e: em.directory.epoch, s: em.directory.currentSeq };
  if (deltaToken === 'latest') {
    // Sync from now: empty page plus a deltaLink (spec §5).
    respond(em, ctx, { ...base, f: base.s }, 0);
    return;
  }
  respond(em, ctx, { ...base, f: -1 }, pageSize);
}

export function deltaRoutes(em: Emulator): Route[] {
  return [
    {
      method: 'GET',
      template: '/v1.0/users/delta',
      auth: 'graph',
      roles: ROLES.userRead,
      handle: (ctx) => handleDelta(em, ctx, 'user'),
    },
    {
      method: 'GET',
      template: '/v1.0/groups/delta',
      auth: 'graph',
      roles: ROLES.groupRead,
      handle: (ctx) => handleDelta(em, ctx, 'group'),
    },
  ];
}
