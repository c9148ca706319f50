import { parseDuration } from '../../config/index.js';
import { isGuid } from '../../config/primitives.js';
import type { AuditEntry, AuditQuery } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';
import { auditCsv } from './auditCsv.js';

const DAY = 86_400_000;
const MAX_RANGE_DAYS = 93;
const DEFAULT_LIMIT = 1_000;
const MAX_LIMIT = 10_000;

export interface AuditQueryDeps {
  query(query: AuditQuery): Promise<AuditEntry[]>;
  now: number;
}

/**
 * `GET /api/audit?since&until&user&limit&order=asc|desc&format=json|csv`: who got or lost which
 * access, when, because of what. `since`/`until` take ISO 8601, epoch ms, or an age (`24h`, `7d`);
 * the default is the last 24 hours, at most 93 days at once. `user` is an object id or a username.
 */
export async function queryAudit(params: URLSearchParams, deps: AuditQueryDeps): Promise<ApiResult> {
  const until = readTime(params.get('until'), deps.now, deps.now);
  const since = readTime(params.get('since'), deps.now - DAY, deps.now);
  if (typeof until === 'string') return apiError(400, 'badRequest', `until ${until}`);
  if (typeof since === 'string') return apiError(400, 'badRequest', `since ${since}`);
  if (since > until) return apiError(400, 'badRequest', 'since must not be after until');
  if (until - since > MAX_RANGE_DAYS * DAY) {
    return apiError(400, 'badRequest', `the range is over ${MAX_RANGE_DAYS} days; ask for it in parts`);
  }
  const limitText = params.get('limit');
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return apiError(400, 'badRequest', `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  }
  const order = params.get('order') ?? 'asc';
  const format = params.get('format') ?? 'json';
  if (order !== 'asc' && order !== 'desc') return apiError(400, 'badRequest', 'order must be asc or desc');
  if (format !== 'json' && format !== 'csv') return apiError(400, 'badRequest', 'format must be json or csv');
  const user = params.get('user')?.trim();
  const entries = await deps.query({
    from: since,
    to: until,
    limit: limit + 1,
    newestFirst: order === 'desc',
    ...(user ? (isGuid(user) ? { objectId: user.toLowerCase() } : { username: user }) : {}),
  });
  const truncated = entries.length > limit;
  const records = entries.slice(0, limit);
  if (format === 'csv') {
    return {
      status: 200,
      text: auditCsv(records),
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="audit-${iso(since)}-${iso(until)}.csv"`,
        ...(truncated ? { 'x-truncated': 'true' } : {}),
      },
    };
  }
  return ok({ since: iso(since), until: iso(until), count: records.length, truncated, records });
}

function iso(at: number): string {
  return new Date(at).toISOString();
}

/** A time as ISO 8601, epoch ms, or an age before now; a string is the problem. */
export function readTime(text: string | null, fallback: number, now: number): number | string {
  if (text === null || text.trim() === '') return fallback;
  const value = text.trim();
  if (/^\d{10,}$/.test(value)) return Number(value);
  const age = /^\d+(\.\d+)?[smhd]$/i.test(value) ? parseDuration(value) : undefined;
  if (age?.ok) return now - age.ms;
  const at = Date.parse(value);
  return Number.isNaN(at) ? 'must be an ISO 8601 time, epoch milliseconds or an age such as 24h' : at;
}
