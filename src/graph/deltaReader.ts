import type { ObjectId } from '../domain/types.js';
import { GraphApiError } from './graphApiError.js';
import type { GraphClient } from './graphClient.js';
import { USER_SELECT } from './graphDirectory.js';

export type DeltaKind = 'user' | 'group';

/** Where a round starts: a stored cursor, a full initial sync, or "from now" (`$deltatoken=latest`). */
export type DeltaStart = { deltaLink: string } | { from: 'scratch' } | { from: 'latest' };

/** One membership entry of a group's `members@delta`, in Graph's order (apply in order). */
export interface MemberChange {
  id: ObjectId;
  /** `#microsoft.graph.user`, `#microsoft.graph.group`, … when Graph said. */
  type?: string;
  removed: boolean;
}

export interface DeltaChange {
  kind: DeltaKind;
  id: ObjectId;
  /**
   * `changed`: soft-deleted (restorable); `deleted`: permanently deleted — the only delta signal
   * that confirms a hard delete (DESIGN §3.2). Absent: created, updated or restored.
   */
  removed?: 'changed' | 'deleted';
  /** Groups only, merged across pages and repeats of the same group within the round. */
  members: MemberChange[];
}

export type DeltaRound =
  | { expired: false; changes: DeltaChange[]; deltaLink: string; pages: number }
  /**
   * The cursor can't be used any more (410, `syncStateNotFound`, `resyncRequired`, a malformed
   * token): enqueue a full reconcile and restart from `{from: 'latest'}` (DESIGN §3.3).
   */
  | { expired: true; code: string; message: string };

interface DeltaItem {
  id?: unknown;
  '@removed'?: { reason?: unknown };
  'members@delta'?: Array<{ id?: unknown; '@odata.type'?: unknown; '@removed'?: unknown }>;
}

const PATHS: Record<DeltaKind, string> = {
  // Only selected properties are tracked (spec/graph.md §5): select what DirectoryUser holds.
  user: `/users/delta?$select=${USER_SELECT}`,
  // `members` in $select is what brings members@delta.
  group: '/groups/delta?$select=displayName,members',
};

const EXPIRY_CODES: ReadonlySet<string> = new Set([
  'syncstatenotfound',
  'resyncrequired',
  'syncstateinvalid',
]);

/** `users/delta` and `groups/delta` rounds for the catch-up (DESIGN §3.3). Cursors are stored per stream. */
export class DeltaReader {
  constructor(private readonly graph: GraphClient) {}

  /** Follows nextLinks (empty pages included) to the deltaLink; every id once, in first-seen order. */
  async readRound(kind: DeltaKind, start: DeltaStart): Promise<DeltaRound> {
    const changes = new Map<ObjectId, DeltaChange>();
    let pages = 0;
    try {
      for await (const page of this.graph.pages<DeltaItem>(firstUrl(kind, start))) {
        pages += 1;
        for (const item of page.value) merge(changes, kind, item);
        if (page.deltaLink)
          return { expired: false, changes: [...changes.values()], deltaLink: page.deltaLink, pages };
      }
    } catch (error) {
      if (error instanceof GraphApiError && isExpiry(error, 'deltaLink' in start)) {
        return { expired: true, code: error.code || String(error.status), message: error.message };
      }
      throw error;
    }
    throw new GraphApiError(
      `GET ${PATHS[kind].split('?')[0]}`,
      {
        status: 200,
        code: 'missingDeltaLink',
        graphMessage: 'the last page had neither nextLink nor deltaLink',
      },
      { retryable: true },
    );
  }
}

function firstUrl(kind: DeltaKind, start: DeltaStart): string {
  if ('deltaLink' in start) return start.deltaLink;
  return start.from === 'latest' ? `${PATHS[kind]}&$deltatoken=latest` : PATHS[kind];
}

function isExpiry(error: GraphApiError, fromCursor: boolean): boolean {
  if (error.status === 410 || EXPIRY_CODES.has(error.code.toLowerCase())) return true;
  // A mangled cursor ("Badly formed token.") can only be recovered the same way: resync.
  return fromCursor && error.status === 400 && /token/i.test(error.graphMessage);
}

function merge(changes: Map<ObjectId, DeltaChange>, kind: DeltaKind, item: DeltaItem): void {
  if (typeof item.id !== 'string') return;
  const id = item.id.toLowerCase();
  const change = changes.get(id) ?? { kind, id, members: [] };
  // The last appearance in a round is the object's state at the round's end.
  const reason = item['@removed']?.reason;
  if (reason === 'deleted' || reason === 'changed') change.removed = reason;
  else if (item['@removed'] !== undefined) change.removed = 'changed';
  else delete change.removed;
  for (const m of item['members@delta'] ?? []) {
    if (typeof m.id !== 'string') continue;
    change.members.push({
      id: m.id.toLowerCase(),
      ...(typeof m['@odata.type'] === 'string' ? { type: m['@odata.type'] } : {}),
      removed: m['@removed'] !== undefined,
    });
  }
  changes.set(id, change);
}
