import { describe, expect, it } from 'vitest';
import { auditCsv } from '../../../../src/app/http/auditCsv.js';
import { queryAudit, readTime } from '../../../../src/app/http/auditQuery.js';
import type { AuditEntry, AuditQuery } from '../../../../src/state/index.js';

const NOW = Date.parse('2026-11-26T04:00:00Z');
const USER = '5d1f3a2b-4c6e-4d8f-a1b3-c5e7f9a2b4d6';

function anEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: '001764129600000-abcdef0123',
    type: 'action',
    kind: 'suspendUser',
    status: 'applied',
    appliedAt: NOW - 60_000,
    objectId: USER,
    username: 'jsmith',
    reason: 'disabled in Entra',
    cause: { type: 'notification', id: 'msg-1' },
    latencyMs: 1_234,
    ...overrides,
  };
}

function recorder(entries: AuditEntry[] = [anEntry()]) {
  const queries: AuditQuery[] = [];
  return {
    queries,
    deps: {
      now: NOW,
      query: async (query: AuditQuery) => {
        queries.push(query);
        return entries.slice(0, query.limit);
      },
    },
  };
}

describe('queryAudit', () => {
  it('defaults to the last 24 hours, oldest first, as JSON', async () => {
    const { deps, queries } = recorder();
    const result = await queryAudit(new URLSearchParams(), deps);
    expect(result.status).toBe(200);
    expect(queries[0]).toEqual({ from: NOW - 86_400_000, to: NOW, limit: 1_001, newestFirst: false });
    expect(result.json).toMatchObject({ count: 1, truncated: false, records: [anEntry()] });
  });

  it('filters by object id or username, reads ages and ISO times', async () => {
    const { deps, queries } = recorder();
    await queryAudit(new URLSearchParams({ user: USER.toUpperCase(), since: '7d', order: 'desc' }), deps);
    await queryAudit(
      new URLSearchParams({ user: 'jsmith', since: '2026-11-20T00:00:00Z', until: `${NOW}` }),
      deps,
    );
    expect(queries[0]).toMatchObject({ objectId: USER, from: NOW - 7 * 86_400_000, newestFirst: true });
    expect(queries[1]).toMatchObject({
      username: 'jsmith',
      from: Date.parse('2026-11-20T00:00:00Z'),
      to: NOW,
    });
  });

  it('says when the limit cut the answer', async () => {
    const { deps } = recorder([anEntry(), anEntry(), anEntry()]);
    const result = await queryAudit(new URLSearchParams({ limit: '2' }), deps);
    expect(result.json).toMatchObject({ count: 2, truncated: true });
  });

  it('refuses bad parameters with 400 and a reason', async () => {
    const { deps, queries } = recorder();
    const cases: Record<string, string>[] = [
      { since: 'yesterday' },
      { since: '2026-11-27T00:00:00Z' },
      { since: '200d' },
      { limit: '0' },
      { limit: '10001' },
      { format: 'xml' },
      { order: 'up' },
    ];
    for (const params of cases) {
      const result = await queryAudit(new URLSearchParams(params), deps);
      expect(result.status, JSON.stringify(params)).toBe(400);
      expect(result.json).toMatchObject({ error: 'badRequest' });
    }
    expect(queries).toEqual([]);
  });

  it('answers CSV as an attachment', async () => {
    const { deps } = recorder();
    const result = await queryAudit(new URLSearchParams({ format: 'csv' }), deps);
    expect(result.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(result.headers?.['content-disposition']).toMatch(/^attachment; filename="audit-/);
    expect(result.text?.split('\r\n')[0]).toMatch(/^appliedAt,type,kind,status,objectId,username/);
  });

  it('reads times', () => {
    expect(readTime(null, 5, NOW)).toBe(5);
    expect(readTime('1764129600000', 5, NOW)).toBe(1_764_129_600_000);
    expect(readTime('24h', 5, NOW)).toBe(NOW - 86_400_000);
    expect(typeof readTime('soon', 5, NOW)).toBe('string');
  });
});

describe('auditCsv', () => {
  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    const csv = auditCsv([
      anEntry({
        username: '=HYPERLINK("x")',
        reason: 'a, "quoted"\nline',
        error: { message: '-1', retryable: false },
      }),
    ]);
    const [, row] = csv.split('\r\n');
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain('"a, ""quoted""\nline"');
    expect(row).toContain(",'-1,");
    expect(row).toContain(',1234,');
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});
