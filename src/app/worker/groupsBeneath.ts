import { GraphApiError } from '../../graph/index.js';
import { ConcurrencyError } from '../../state/index.js';
import type { WorkerApp } from './workerApp.js';

const SETTING = 'groupsBeneath';
// A table string property holds 32K UTF-16 characters; past that the cache is recomputed per use.
const MAX_CHARS = 30_000;

interface Stored {
  at: number;
  /** Scope group id → ids of the groups nested beneath it, at any depth. */
  groups: Record<string, string[]>;
}

/**
 * The cached set of groups beneath each scope group (DESIGN §3.2 cheap filtering), kept as one
 * `settings` row. Computed by walking nested group members, refreshed
 * by every reconcile and, for the scope groups concerned, by every group change handled: a group
 * newly nested anywhere below a scope group arrives as a change of a group already in the set.
 */
export class GroupsBeneath {
  constructor(private readonly app: WorkerApp) {}

  /** Every scope group's set; a scope group missing from the cache is computed now. */
  async load(scopeGroups: Iterable<string>): Promise<Map<string, Set<string>>> {
    const stored = await this.app.stores.settings.get(SETTING);
    const cached = (stored?.value as Stored | null | undefined)?.groups ?? {};
    const result = new Map<string, Set<string>>();
    const missing: string[] = [];
    for (const id of scopeGroups) {
      const known = cached[id];
      if (known) result.set(id, new Set(known));
      else missing.push(id);
    }
    if (missing.length > 0) for (const [id, set] of await this.refresh(missing)) result.set(id, set);
    return result;
  }

  /** Recomputes the given scope groups and stores them with the rest (last writer wins: it's a cache). */
  async refresh(scopeGroups: Iterable<string>): Promise<Map<string, Set<string>>> {
    const fresh = new Map<string, Set<string>>();
    for (const id of scopeGroups) fresh.set(id, await this.compute(id));
    if (fresh.size === 0) return fresh;
    const stored = await this.app.stores.settings.get(SETTING);
    const groups = { ...((stored?.value as Stored | null | undefined)?.groups ?? {}) };
    for (const [id, set] of fresh) groups[id] = [...set].sort();
    const value: Stored = { at: this.app.clock.now(), groups };
    if (JSON.stringify(value).length > MAX_CHARS) return fresh;
    try {
      await this.app.stores.settings.set(SETTING, value, stored?.etag);
    } catch (error) {
      // Another worker refreshed meanwhile; its copy is as good as ours.
      if (!(error instanceof ConcurrencyError)) throw error;
    }
    return fresh;
  }

  /**
   * Walks direct group members level by level (`/members/microsoft.graph.group`), which costs one
   * call per nested group instead of paging through every transitive user member.
   */
  private async compute(groupId: string): Promise<Set<string>> {
    const nested = new Set<string>();
    let level = [groupId];
    while (level.length > 0) {
      const next: string[] = [];
      for (const id of level) {
        for (const child of await this.childGroups(id)) {
          if (child === groupId || nested.has(child)) continue;
          nested.add(child);
          next.push(child);
        }
      }
      level = next;
    }
    return nested;
  }

  private async childGroups(groupId: string): Promise<string[]> {
    const path = `/groups/${encodeURIComponent(groupId)}/members/microsoft.graph.group?$select=id&$top=999`;
    const children: string[] = [];
    try {
      for await (const member of this.app.graph.items<{ id?: string }>(path)) {
        if (member.id) children.push(member.id.toLowerCase());
      }
    } catch (error) {
      // A group that is gone has nothing beneath it; a mapped one is reported by the guard on reconcile.
      if (error instanceof GraphApiError && error.notFound) return children;
      throw error;
    }
    return children;
  }
}
