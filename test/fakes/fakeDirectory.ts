import type { DirectoryUser, ObjectId } from '../../src/domain/types.js';
import type { DirectoryReader, GroupMembersRead, UserRead } from '../../src/sync/ports.js';

/**
 * A directory in memory with nested groups, soft and hard deletes, and read faults: the
 * `DirectoryReader` the planner tests run against. Group members may be users or groups.
 */
export class FakeDirectory implements DirectoryReader {
  readonly users = new Map<ObjectId, DirectoryUser>();
  readonly groups = new Map<ObjectId, Set<ObjectId>>();
  readonly softDeleted = new Map<ObjectId, DirectoryUser>();
  readonly hardDeleted = new Set<ObjectId>();
  readonly failingGroups = new Set<ObjectId>();
  reads = 0;

  constructor(private readonly scopeGroups: () => Iterable<ObjectId>) {}

  async readUser(objectId: ObjectId): Promise<UserRead> {
    this.reads++;
    const user = this.users.get(objectId);
    if (user) {
      const groups = [...this.scopeGroups()].filter((g) => this.transitiveUsers(g).has(objectId)).sort();
      return { presence: 'present', user: { ...user }, groups };
    }
    if (this.softDeleted.has(objectId)) return { presence: 'softDeleted', groups: [] };
    if (this.hardDeleted.has(objectId)) return { presence: 'hardDeleted', groups: [] };
    return { presence: 'absent', groups: [] };
  }

  async readGroupMembers(groupId: ObjectId): Promise<GroupMembersRead> {
    this.reads++;
    if (this.failingGroups.has(groupId)) return { status: 'failed', message: 'page 2 answered 503' };
    if (!this.groups.has(groupId)) return { status: 'notFound' };
    const members = [...this.transitiveUsers(groupId)].sort();
    const users = members.flatMap((id) => {
      const user = this.users.get(id);
      return user ? [{ ...user }] : [];
    });
    return { status: 'ok', members, users };
  }

  async readAllUsers(): Promise<DirectoryUser[]> {
    this.reads++;
    return [...this.users.values()].map((u) => ({ ...u }));
  }

  /** Transitive user members, nested groups flattened, cycles tolerated (Entra forbids them anyway). */
  transitiveUsers(groupId: ObjectId, seen = new Set<ObjectId>()): Set<ObjectId> {
    const out = new Set<ObjectId>();
    if (seen.has(groupId)) return out;
    seen.add(groupId);
    for (const member of this.groups.get(groupId) ?? []) {
      if (this.groups.has(member)) {
        for (const user of this.transitiveUsers(member, seen)) out.add(user);
      } else if (this.users.has(member)) {
        out.add(member);
      }
    }
    return out;
  }

  /** Groups nested beneath a group, at any depth. */
  transitiveGroups(groupId: ObjectId, seen = new Set<ObjectId>()): Set<ObjectId> {
    for (const member of this.groups.get(groupId) ?? []) {
      if (this.groups.has(member) && !seen.has(member)) {
        seen.add(member);
        this.transitiveGroups(member, seen);
      }
    }
    return seen;
  }

  softDelete(objectId: ObjectId): void {
    const user = this.users.get(objectId);
    if (!user) return;
    this.users.delete(objectId);
    this.softDeleted.set(objectId, user);
  }

  restore(objectId: ObjectId): void {
    const user = this.softDeleted.get(objectId);
    if (!user) return;
    this.softDeleted.delete(objectId);
    this.users.set(objectId, user);
  }

  hardDelete(objectId: ObjectId): void {
    this.users.delete(objectId);
    this.softDeleted.delete(objectId);
    this.hardDeleted.add(objectId);
    for (const members of this.groups.values()) members.delete(objectId);
  }
}
