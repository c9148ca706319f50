import { randomUUID } from 'node:crypto';
import { GraphHttpError } from './http.js';
import type {
  DirectoryChange,
  DirectoryObject,
  GroupRecord,
  MemberChange,
  ObjectKind,
  UserRecord,
} from './types.js';

type Listener = (change: DirectoryChange) => void;
type Snapshot = { value: DirectoryObject | null; until: number };

const SOFT_DELETE_RETENTION_MS = 30 * 24 * 3600 * 1000;

export function notFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function clone<T extends DirectoryObject>(o: T): T {
  return o.kind === 'group' ? ({ ...o, members: new Set(o.members) } as T) : { ...o };
}

/** In-memory tenant directory: users, groups, memberships, soft-deleted items and the change log. */
export class Directory {
  readonly objects = new Map<string, DirectoryObject>();
  readonly log: DirectoryChange[] = [];
  private seq = 0;
  private readonly listeners: Listener[] = [];
  /** Read-after-write lag: previous versions that reads keep returning until `until`. */
  private readonly lagged = new Map<string, Snapshot>();
  lagMs = 0;
  /** Changes on every reset, so tokens from an earlier state are rejected. */
  readonly epoch = randomUUID().slice(0, 8);

  constructor(
    readonly tenantId: string,
    readonly domains: string[],
    private readonly now: () => number = Date.now,
  ) {}

  get currentSeq(): number {
    return this.seq;
  }

  onChange(listener: Listener): void {
    this.listeners.push(listener);
  }

  // ---- reads (subject to read-after-write lag) ----

  private view(id: string): DirectoryObject | undefined {
    const lag = this.lagged.get(id);
    if (lag && lag.until > this.now()) return lag.value ?? undefined;
    if (lag) this.lagged.delete(id);
    return this.objects.get(id);
  }

  /** Active (not soft-deleted) objects as reads see them, in creation order. */
  listActive(kind: ObjectKind): DirectoryObject[] {
    this.purgeExpired();
    const ids = new Set([...this.objects.keys(), ...this.lagged.keys()]);
    const out: DirectoryObject[] = [];
    for (const id of ids) {
      const o = this.view(id);
      if (o && o.kind === kind && o.deletedDateTime === null) out.push(o);
    }
    return out;
  }

  listDeleted(kind?: ObjectKind): DirectoryObject[] {
    this.purgeExpired();
    return [...this.objects.values()].filter((o) => o.deletedDateTime !== null && (!kind || o.kind === kind));
  }

  /** A user by id or userPrincipalName (case-insensitive), active only. */
  findUser(idOrUpn: string): UserRecord {
    const direct = this.view(idOrUpn);
    if (direct?.kind === 'user' && direct.deletedDateTime === null) return direct;
    const lower = idOrUpn.toLowerCase();
    const byUpn = this.listActive('user').find(
      (u) => (u as UserRecord).userPrincipalName.toLowerCase() === lower,
    );
    if (byUpn?.kind === 'user') return byUpn;
    throw notFound(idOrUpn);
  }

  findGroup(id: string): GroupRecord {
    const g = this.view(id);
    if (g?.kind === 'group' && g.deletedDateTime === null) return g;
    throw notFound(id);
  }

  findActive(id: string): DirectoryObject {
    const o = this.view(id);
    if (o && o.deletedDateTime === null) return o;
    throw notFound(id);
  }

  findDeleted(id: string): DirectoryObject {
    this.purgeExpired();
    const o = this.objects.get(id);
    if (o && o.deletedDateTime !== null) return o;
    throw notFound(id);
  }

  directMembers(groupId: string): DirectoryObject[] {
    const g = this.findGroup(groupId);
    const out: DirectoryObject[] = [];
    for (const id of g.members) {
      const m = this.view(id);
      if (m && m.deletedDateTime === null) out.push(m);
    }
    return out;
  }

  /** Flattened nested members (users and groups), each once; cycles are tolerated. */
  transitiveMembers(groupId: string): DirectoryObject[] {
    const seen = new Set<string>([groupId]);
    const out: DirectoryObject[] = [];
    const queue = [groupId];
    for (let gid = queue.shift(); gid !== undefined; gid = queue.shift()) {
      for (const m of this.directMembers(gid)) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
        if (m.kind === 'group') queue.push(m.id);
      }
    }
    return out;
  }

  /** Groups that contain the object directly or through nesting. */
  transitiveMemberOf(objectId: string): GroupRecord[] {
    const groups = this.listActive('group') as GroupRecord[];
    const result = new Map<string, GroupRecord>();
    let frontier = new Set([objectId]);
    while (frontier.size > 0) {
      const next = new Set<string>();
      for (const g of groups) {
        if (result.has(g.id)) continue;
        for (const id of frontier) {
          if (g.members.has(id)) {
            result.set(g.id, g);
            next.add(g.id);
            break;
          }
        }
      }
      frontier = next;
    }
    return [...result.values()];
  }

  // ---- writes (always against the current version, never the lagged one) ----

  fresh(id: string, kind?: ObjectKind): DirectoryObject {
    const o = this.objects.get(id);
    if (o && o.deletedDateTime === null && (!kind || o.kind === kind)) return o;
    throw notFound(id);
  }

  private remember(id: string): void {
    if (this.lagMs <= 0) return;
    if (this.lagged.has(id) && (this.lagged.get(id)?.until ?? 0) > this.now()) return;
    const prev = this.objects.get(id);
    this.lagged.set(id, { value: prev ? clone(prev) : null, until: this.now() + this.lagMs });
  }

  private emit(
    kind: ObjectKind,
    id: string,
    op: DirectoryChange['op'],
    props: string[],
    members: MemberChange[] = [],
  ): void {
    this.seq += 1;
    const change: DirectoryChange = { seq: this.seq, at: this.now(), kind, id, op, props, members };
    this.log.push(change);
    for (const l of this.listeners) l(change);
  }

  insert(o: DirectoryObject, emit = true): void {
    this.remember(o.id);
    this.objects.set(o.id, o);
    if (emit) this.emit(o.kind, o.id, 'created', ['*']);
  }

  newId(): string {
    return randomUUID();
  }

  update(id: string, patch: Record<string, unknown>): DirectoryObject {
    const current = this.fresh(id);
    this.remember(id);
    const changed: string[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const rec = current as unknown as Record<string, unknown>;
      if (JSON.stringify(rec[k]) !== JSON.stringify(v)) {
        rec[k] = v;
        changed.push(k);
      }
    }
    this.emit(current.kind, current.id, 'updated', changed);
    return current;
  }

  softDelete(id: string): void {
    const current = this.fresh(id);
    this.remember(id);
    current.deletedDateTime = new Date(this.now()).toISOString();
    this.emit(current.kind, current.id, 'softDeleted', ['*']);
  }

  restore(id: string): DirectoryObject {
    const o = this.findDeleted(id);
    this.remember(id);
    o.deletedDateTime = null;
    this.emit(o.kind, o.id, 'restored', ['*']);
    return o;
  }

  /** Permanent deletion; the object also leaves every group it was a member of. */
  purge(id: string): void {
    const o = this.objects.get(id);
    if (!o) throw notFound(id);
    this.remember(id);
    this.objects.delete(id);
    this.emit(o.kind, id, 'deleted', ['*']);
    for (const g of this.objects.values()) {
      if (g.kind === 'group' && g.members.has(id)) {
        this.remember(g.id);
        g.members.delete(id);
        // Field test (spec §3): no notification for this removal, but delta reports it.
        this.log.push({
          seq: ++this.seq,
          at: this.now(),
          kind: 'group',
          id: g.id,
          op: 'members',
          props: [],
          members: [{ id, memberKind: o.kind, removed: true }],
        });
      }
    }
  }

  addMember(groupId: string, memberId: string): void {
    const g = this.fresh(groupId, 'group') as GroupRecord;
    const m = this.fresh(memberId);
    this.remember(groupId);
    g.members.add(m.id);
    this.emit('group', g.id, 'members', [], [{ id: m.id, memberKind: m.kind, removed: false }]);
  }

  removeMember(groupId: string, memberId: string): void {
    const current = this.fresh(groupId, 'group') as GroupRecord;
    if (!current.members.has(memberId)) throw notFound(memberId);
    const m = this.objects.get(memberId);
    this.remember(groupId);
    current.members.delete(memberId);
    this.emit(
      'group',
      current.id,
      'members',
      [],
      [{ id: memberId, memberKind: m?.kind ?? 'user', removed: true }],
    );
  }

  /** Soft-deleted items older than 30 days are purged, as Entra does. */
  private purgeExpired(): void {
    const cutoff = this.now() - SOFT_DELETE_RETENTION_MS;
    for (const o of [...this.objects.values()]) {
      if (o.deletedDateTime !== null && Date.parse(o.deletedDateTime) < cutoff) this.purge(o.id);
    }
  }
}
