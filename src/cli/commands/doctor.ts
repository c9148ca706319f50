import type { Check } from '../../app/http/doctorChecks.js';
import { runDoctor } from '../../app/http/doctorChecks.js';
import { okJson } from '../backend.js';
import { EXIT } from '../cliIo.js';
import type { Command, CommandContext } from '../command.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check settings, Graph and Gogs rights, groups, teams, subscriptions, the webhook',
  usage: `usage: entra-gogs-sync doctor [--json]

One line per check, \`ok\`, \`warn\` or \`fail\`, and a fix for each failure:
  settings            every setting valid (each problem listed)
  graph token         a token, and its roles include User.Read.All and Group.Read.All
  gogs admin          the Gogs token is a site admin's (GET /api/v1/admin/teams/0/members: 404 admin, 403 not)
  gogs version        Gogs 0.14.3 or later (Gogs' API has no version route: reported unknown, with the fix)
  group <id>          each mapped group exists; the site-admin group is role-assignable (warns on dynamic)
  team <org>/<team>   each managed org and team exists (warns: the next reconcile creates them)
  subscriptions       ours for users and groups, expiring in more than 7 days
  notification url    answers the validation handshake (POST ?validationToken=… → 200 text/plain)
  lifecycle url       the same for the lifecycle URL
Local mode checks with the settings here; --remote asks the app (GET /api/doctor), which checks
with its own identity — the only way to test a managed identity's Graph roles.
Exit 0 when nothing fails (warnings allowed), 1 when a check fails.`,
  run: async (ctx) => {
    const checks = await checksOf(ctx);
    const failed = checks.some((c) => c.status === 'fail');
    if (ctx.json) {
      ctx.out(JSON.stringify({ ok: !failed, checks }, null, 2));
      return failed ? EXIT.failed : EXIT.ok;
    }
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const check of checks) {
      ctx.out(`${check.status.padEnd(4)}  ${check.name.padEnd(width)}  ${check.detail}`);
      if (check.fix && check.status !== 'ok') ctx.out(`${' '.repeat(6 + width)}  fix: ${check.fix}`);
    }
    const counts = ['ok', 'warn', 'fail'].map((s) => `${checks.filter((c) => c.status === s).length} ${s}`);
    ctx.out(`${counts.join(', ')}`);
    return failed ? EXIT.failed : EXIT.ok;
  },
};

async function checksOf(ctx: CommandContext): Promise<Check[]> {
  if (ctx.mode === 'local') {
    const settings = ctx.localSettings();
    return runDoctor(settings.env, settings.graphCaPem ? { graphCaPem: settings.graphCaPem } : {});
  }
  const backend = await ctx.backend();
  const answer = await backend.call('GET', '/api/doctor');
  if (answer.status === 500 && (answer.json as { error?: string } | undefined)?.error === 'configError') {
    return [
      {
        name: 'settings',
        status: 'fail',
        detail: 'the app settings are invalid',
        fix: 'the function log names each bad setting; fix them in the app settings',
      },
    ];
  }
  return okJson<{ checks: Check[] }>(answer, 'doctor').checks;
}
