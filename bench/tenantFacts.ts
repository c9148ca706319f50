import type { GeneratedTenant } from '../emulators/graph/generateTenant.js';

/** What the synthetic tenant implies, computed from its seed: the floor the sync is measured against. */
export interface TenantFacts {
  /** Transitive user members per mapped group (and the site-admin group). */
  scopeUsers: Map<string, Set<string>>;
  parentOf: Map<string, string>;
  enabled: Set<string>;
  /** Graph pages a full desired-state read needs at 999 per page: one list per scope group. */
  minimumGraphPages: number;
}

export function tenantFacts(tenant: GeneratedTenant): TenantFacts {
  const groups = new Map((tenant.seed.groups ?? []).map((g) => [g.id as string, g.members ?? []]));
  const parentOf = new Map<string, string>();
  for (const [id, members] of groups) for (const m of members) if (groups.has(m)) parentOf.set(m, id);
  const transitive = (id: string, seen = new Set<string>()): Set<string> => {
    const users = new Set<string>();
    if (seen.has(id)) return users;
    seen.add(id);
    for (const m of groups.get(id) ?? []) {
      if (groups.has(m)) for (const u of transitive(m, seen)) users.add(u);
      else users.add(m);
    }
    return users;
  };
  const scope = [...tenant.mapping.teams.map((t) => t.group), tenant.mapping.siteAdminGroup];
  const scopeUsers = new Map(scope.map((g) => [g, transitive(g)]));
  const enabled = new Set(
    (tenant.seed.users ?? []).filter((u) => u.accountEnabled !== false).map((u) => u.id as string),
  );
  let minimumGraphPages = 0;
  for (const users of scopeUsers.values()) minimumGraphPages += Math.max(1, Math.ceil(users.size / 999));
  return { scopeUsers, parentOf, enabled, minimumGraphPages };
}

/** The mapped group a group feeds (itself when mapped), following the nesting upwards. */
export function mappedAncestor(
  facts: TenantFacts,
  groupId: string,
  mapped: ReadonlySet<string>,
): string | undefined {
  let current: string | undefined = groupId;
  for (let hops = 0; current !== undefined && hops < 10; hops++) {
    if (mapped.has(current)) return current;
    current = facts.parentOf.get(current);
  }
  return undefined;
}

export function depthOf(facts: TenantFacts, groupId: string): number {
  let depth = 0;
  for (
    let current = facts.parentOf.get(groupId);
    current !== undefined;
    current = facts.parentOf.get(current)
  )
    depth++;
  return depth;
}
