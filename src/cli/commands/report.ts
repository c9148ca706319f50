import { okJson } from '../backend.js';
import { EXIT, UsageError } from '../cliIo.js';
import type { Command } from '../command.js';
import { stringOption } from '../command.js';
import { csv, table } from '../format.js';

interface AccessRow {
  objectId: string;
  username: string;
  status: string;
  siteAdmin: boolean | null;
  active: boolean | null;
  teams: string[];
}

interface UnmanagedRow {
  id: number;
  username: string;
  email: string;
  fullName: string;
}

const ACCESS_HEADERS = ['objectId', 'username', 'status', 'siteAdmin', 'active', 'teams'];
const UNMANAGED_HEADERS = ['id', 'username', 'email', 'fullName'];

export const reportCommand: Command = {
  name: 'report',
  summary: 'access review (report access) and unmanaged accounts (report unmanaged)',
  usage: `usage: entra-gogs-sync report access [--format table|csv|json]
       entra-gogs-sync report unmanaged [--format table|csv|json]

access: every managed user with their managed teams (as Gogs lists them), the site-admin and
active flags as last written (Gogs hides both) and their status — what a quarterly access review
asks for; teams are separated by ";" in CSV.
unmanaged: Gogs accounts neither managed nor protected (nor the token's owner).
Both read GET /api/reports/{access|unmanaged}. Exit 0, 1 on failure.`,
  options: { format: { type: 'string' } },
  run: async (ctx) => {
    const [name, ...extra] = ctx.args;
    if ((name !== 'access' && name !== 'unmanaged') || extra.length > 0)
      throw new UsageError('report takes access or unmanaged');
    const format = stringOption(ctx.values, 'format') ?? (ctx.json ? 'json' : 'table');
    if (!['table', 'csv', 'json'].includes(format))
      throw new UsageError('--format must be table, csv or json');
    const body = okJson<{ count: number; users?: AccessRow[]; accounts?: UnmanagedRow[] }>(
      await (await ctx.backend()).call('GET', `/api/reports/${name}`),
      `report ${name}`,
    );
    if (format === 'json') {
      ctx.out(JSON.stringify(body, null, 2));
      return EXIT.ok;
    }
    const [headers, rows] =
      name === 'access'
        ? [
            ACCESS_HEADERS,
            (body.users ?? []).map((u) => [u.objectId, u.username, u.status, u.siteAdmin, u.active, u.teams]),
          ]
        : [UNMANAGED_HEADERS, (body.accounts ?? []).map((a) => [a.id, a.username, a.email, a.fullName])];
    if (format === 'csv') ctx.io.stdout.write(csv(headers, rows));
    else {
      ctx.out(table(headers, rows));
      ctx.out(`${body.count} ${name === 'access' ? 'managed user(s)' : 'unmanaged account(s)'}`);
    }
    return EXIT.ok;
  },
};
