import { GraphApiError } from '../../graph/index.js';
import { ConcurrencyError, MAX_SETTING_CHARS } from '../../state/index.js';
import { runLimited } from '../../sync/limited.js';
import type { WorkerApp } from './workerApp.js';

/** One `settings` row per scope group: `groupsBeneath:<scope group id>`. */
export const GROUPS_BENEATH_PREFIX = 'groupsBeneath:';

interface Stored {
  at: number;
  /** Ids of the groups nested beneath the scope group, at any depth. */
  groups: string[];
}

type Row = { value: unknown; etag: string } | undefined;

/** Up to this many scope groups are read with point reads; more with one query of every row. */
const POINT_READS = 4;
/** Transitive group listings at once (a reconcile refreshes every scope group). */
const LISTINGS_IN_FLIGHT = 4;

/**
 * The cached set of groups beneath each scope group (DESIGN §3.2 cheap filtering), one `settings`
 * row per scope group so that it scales with the number of scope groups and of nested groups.
 * Computed with one transitive group listing per scope group, refreshed by every reconcile and, for
 * the scope groups concerned, by every group change handled: a group newly nested anywhere below a
 * scope group arrives as a change of a group already in the set.
 */
export class GroupsBeneath {
  constructor(private readonly app: WorkerApp) {}

  /** Every scope group's set; a scope group missing from the cache is computed now. */
  async load(scopeGroups: Iterable<string>): Promise<Map<string, Set<string>>> {
    const ids = [...scopeGroups];
    const rows = await this.read(ids);
    const result = new Map<string, Set<string>>();
    const missing = new Map<string, Row>();
    ids.forEach((id, i) => {
      const known = storedGroups(rows[i]);
      if (known) result.set(id, new Set(known));
      else missing.set(id, rows[i]);
    });
    for (const [id, set] of await this.recompute(missing)) result.set(id, set);
    return result;
  }

  /** Recomputes the given scope groups and stores them (a cache: a lost race keeps the other copy). */
  async refresh(scopeGroups: Iterable<string>): Promise<Map<string, Set<string>>> {
    const ids = [...scopeGroups];
    const rows = await this.read(ids);
    return this.recompute(new Map(ids.map((id, i) => [id, rows[i]])));
  }

  /** The rows of the given scope groups: one point read each for a few, one query for more. */
  private async read(ids: readonly string[]): Promise<Row[]> {
    const { settings } = this.app.stores;
    if (ids.length <= POINT_READS) {
      return Promise.all(ids.map((id) => settings.get(`${GROUPS_BENEATH_PREFIX}${id}`)));
    }
    const rows = await settings.getPrefixed(GROUPS_BENEATH_PREFIX);
    return ids.map((id) => rows.get(`${GROUPS_BENEATH_PREFIX}${id}`));
  }

  /** `rows` holds each group's row as read before computing, so its ETag fences a slower writer. */
  private async recompute(rows: ReadonlyMap<string, Row>): Promise<Map<string, Set<string>>> {
    const fresh = new Map<string, Set<string>>();
    await runLimited([...rows], LISTINGS_IN_FLIGHT, async ([id, row]) => {
      const set = await this.compute(id);
      fresh.set(id, set);
      const value: Stored = { at: this.app.clock.now(), groups: [...set].sort() };
      // Past what a row holds (some 12,000 nested groups), the set is computed on each use.
      if (JSON.stringify(value).length > MAX_SETTING_CHARS) return;
      try {
        await this.app.stores.settings.set(`${GROUPS_BENEATH_PREFIX}${id}`, value, row?.etag);
      } catch (error) {
        // Another worker refreshed meanwhile; its copy is as good as ours.
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    });
    return new Map([...rows.keys()].map((id) => [id, fresh.get(id) as Set<string>]));
  }

  /** One paged listing of the groups nested at any depth, instead of one call per nested group. */
  private async compute(groupId: string): Promise<Set<string>> {
    const path = `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.group?$select=id&$top=999`;
    const nested = new Set<string>();
    try {
      for await (const member of this.app.graph.items<{ id?: string }>(path)) {
        const id = member.id?.toLowerCase();
        if (id && id !== groupId.toLowerCase()) nested.add(id);
      }
    } catch (error) {
      // A group that is gone has nothing beneath it; a mapped one is reported by the guard on reconcile.
      if (error instanceof GraphApiError && error.notFound) return nested;
      throw error;
    }
    return nested;
  }
}

function storedGroups(row: Row): string[] | undefined {
  const groups = (row?.value as Partial<Stored> | null | undefined)?.groups;
  return Array.isArray(groups) ? groups : undefined;
}
