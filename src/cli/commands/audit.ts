import { okJson } from '../backend.js';
import { CommandError, EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { stringOption } from '../command.js';
import { iso, table } from '../format.js';

interface AuditLine {
  type: string;
  kind: string;
  status: string;
  appliedAt: number;
  username?: string;
  objectId?: string;
  target?: string;
  cause?: { type: string; id: string };
  latencyMs?: number;
  reason?: string;
}

export const auditCommand: Command = {
  name: 'audit',
  summary: 'who got or lost which access, when, because of which Entra change',
  usage: `usage: entra-gogs-sync audit [--since T] [--until T] [--user U] [--limit N] [--order asc|desc]
                            [--format table|csv|json]

Reads the audit trail (GET /api/audit): each change with its cause (notification, catch-up,
reconcile run, operator) and how long after the Entra change it applied. T is ISO 8601, epoch ms
or an age (24h, 7d; default the last 24 h, at most 93 days); U an object id or a username.
csv is the export for auditors (the same columns as the API's CSV). Exit 0, 1 on failure.`,
  options: {
    since: { type: 'string' },
    until: { type: 'string' },
    user: { type: 'string' },
    limit: { type: 'string' },
    order: { type: 'string' },
    format: { type: 'string' },
  },
  run: async (ctx) => {
    const format = stringOption(ctx.values, 'format') ?? (ctx.json ? 'json' : 'table');
    if (!['table', 'csv', 'json'].includes(format))
      throw new UsageError('--format must be table, csv or json');
    const query = new URLSearchParams();
    for (const key of ['since', 'until', 'user', 'limit', 'order']) {
      const value = stringOption(ctx.values, key);
      if (value !== undefined) query.set(key, value);
    }
    query.set('format', format === 'csv' ? 'csv' : 'json');
    const answer = await (await ctx.backend()).call('GET', `/api/audit?${query}`);
    if (format === 'csv') {
      if (answer.status !== 200 || answer.text === undefined) okJson(answer, 'reading the audit');
      if (answer.text === undefined) throw new CommandError('reading the audit failed: no CSV came back');
      ctx.io.stdout.write(answer.text);
      return EXIT.ok;
    }
    const body = okJson<{
      since: string;
      until: string;
      count: number;
      truncated: boolean;
      records: AuditLine[];
    }>(answer, 'reading the audit');
    if (format === 'json') {
      ctx.out(JSON.stringify(body, null, 2));
      return EXIT.ok;
    }
    ctx.out(
      table(
        ['time', 'type', 'kind', 'status', 'user', 'target', 'cause', 'latency'],
        body.records.map((r) => [
          iso(r.appliedAt),
          r.type,
          r.kind,
          r.status,
          r.username ?? r.objectId ?? '',
          r.target ?? '',
          r.cause ? `${r.cause.type}:${r.cause.id}` : '',
          r.latencyMs === undefined ? '' : `${r.latencyMs} ms`,
        ]),
      ),
    );
    ctx.out(
      `${body.count} record(s) from ${body.since} to ${body.until}${body.truncated ? ' (truncated: raise --limit or narrow the range)' : ''}`,
    );
    return EXIT.ok;
  },
};
