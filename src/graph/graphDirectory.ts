import type { DirectoryUser, ObjectId } from '../domain/types.js';
import type { DirectoryReader, GroupMembersRead, UserRead } from '../sync/ports.js';
import { GraphApiError } from './graphApiError.js';
import type { GraphClient } from './graphClient.js';

// accountEnabled, userType and mailNickname come only on $select (spec/graph.md §7).
export const USER_SELECT = 'id,displayName,mail,userPrincipalName,mailNickname,userType,accountEnabled';
const CHECK_MEMBER_GROUPS_LIMIT = 20;
const PAGE_SIZE = 999;

export interface ReadUserOptions {
  /**
   * The caller saw a `deleted` notification or a delta `@removed.reason == "deleted"` for this id:
   * only that confirms a permanent delete (DESIGN §3.2). With it, a 404 reads as `hardDeleted`;
   * without it, a 404 is `softDeleted` when the user is in `directory/deletedItems`, else `absent`.
   */
  confirmedHardDelete?: boolean;
}

interface GraphUser {
  id: string;
  displayName?: string | null;
  mail?: string | null;
  userPrincipalName?: string | null;
  mailNickname?: string | null;
  userType?: string | null;
  accountEnabled?: boolean | null;
}

/**
 * `DirectoryReader` over Microsoft Graph. `scopeGroupIds` are the mapped groups and the site-admin
 * group: `readUser` reports which of them the user belongs to transitively.
 */
export class GraphDirectory implements DirectoryReader {
  private readonly scopeGroupIds: readonly ObjectId[];

  constructor(
    private readonly graph: GraphClient,
    scopeGroupIds: readonly ObjectId[],
  ) {
    this.scopeGroupIds = [...new Set(scopeGroupIds.map((id) => id.toLowerCase()))];
  }

  async readUser(objectId: ObjectId, options: ReadUserOptions = {}): Promise<UserRead> {
    const id = encodeURIComponent(objectId);
    let user: DirectoryUser;
    let groups: ObjectId[];
    try {
      user = toDirectoryUser(await this.graph.get<GraphUser>(`/users/${id}?$select=${USER_SELECT}`));
      groups = await this.memberGroups(id);
    } catch (error) {
      // A 404 from either call: the user went away, possibly between the two.
      if (!(error instanceof GraphApiError && error.notFound)) throw error;
      return { presence: await this.whereDidItGo(objectId, options), groups: [] };
    }
    return { presence: 'present', user, groups };
  }

  /**
   * One listing gives both the members and their profiles: on the `microsoft.graph.user` cast Graph
   * takes user properties in `$select`, so no profile read per member follows (docs/performance.md).
   */
  async readGroupMembers(groupId: ObjectId): Promise<GroupMembersRead> {
    const path = `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=${USER_SELECT}&$top=${PAGE_SIZE}`;
    const users = new Map<ObjectId, DirectoryUser>();
    try {
      for await (const member of this.graph.items<GraphUser>(path)) {
        const user = toDirectoryUser(member);
        users.set(user.id, user);
      }
    } catch (error) {
      if (error instanceof GraphApiError && error.notFound) return { status: 'notFound' };
      // Any page failing makes the whole read suspect: the guard holds removals (DESIGN §3.3).
      return { status: 'failed', message: error instanceof Error ? error.message : String(error) };
    }
    return { status: 'ok', members: [...users.keys()], users: [...users.values()] };
  }

  /** Every user, guests and disabled accounts included (the planner filters by policy). */
  async readAllUsers(): Promise<DirectoryUser[]> {
    const users: DirectoryUser[] = [];
    for await (const u of this.graph.items<GraphUser>(`/users?$select=${USER_SELECT}&$top=${PAGE_SIZE}`)) {
      users.push(toDirectoryUser(u));
    }
    return users;
  }

  /**
   * Which scope groups the user is in, transitively. Up to 20 scope groups fit one
   * `checkMemberGroups` call; past that, one `transitiveMemberOf` listing (999 a page) costs fewer
   * calls than a `checkMemberGroups` per 20 ids (docs/performance.md).
   */
  private async memberGroups(encodedId: string): Promise<ObjectId[]> {
    if (this.scopeGroupIds.length > CHECK_MEMBER_GROUPS_LIMIT) return this.scopeGroupsOf(encodedId);
    const found: ObjectId[] = [];
    for (const groupIds of chunks(this.scopeGroupIds, CHECK_MEMBER_GROUPS_LIMIT)) {
      const body = await this.graph.request<{ value?: string[] }>(
        'POST',
        `/users/${encodedId}/checkMemberGroups`,
        { body: { groupIds } },
      );
      for (const id of body?.value ?? []) found.push(id.toLowerCase());
    }
    return found;
  }

  /** Every group the user is in, directly or nested, intersected with the scope (ids case-insensitive). */
  private async scopeGroupsOf(encodedId: string): Promise<ObjectId[]> {
    const path = `/users/${encodedId}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=${PAGE_SIZE}`;
    const memberOf = new Set<ObjectId>();
    for await (const group of this.graph.items<{ id: string }>(path)) memberOf.add(group.id.toLowerCase());
    return this.scopeGroupIds.filter((id) => memberOf.has(id));
  }

  private async whereDidItGo(objectId: ObjectId, options: ReadUserOptions): Promise<UserRead['presence']> {
    if (options.confirmedHardDelete) return 'hardDeleted';
    try {
      const item = await this.graph.get<{ '@odata.type'?: string }>(
        `/directory/deletedItems/${encodeURIComponent(objectId)}?$select=id`,
      );
      const type = item?.['@odata.type'];
      return type === undefined || type.toLowerCase() === '#microsoft.graph.user' ? 'softDeleted' : 'absent';
    } catch (error) {
      if (error instanceof GraphApiError && error.notFound) return 'absent';
      throw error;
    }
  }
}

function toDirectoryUser(u: GraphUser): DirectoryUser {
  return {
    id: u.id.toLowerCase(),
    displayName: u.displayName ?? '',
    mail: u.mail ?? null,
    userPrincipalName: u.userPrincipalName ?? '',
    mailNickname: u.mailNickname ?? null,
    userType: u.userType === 'Guest' ? 'Guest' : 'Member',
    accountEnabled: u.accountEnabled === true,
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
