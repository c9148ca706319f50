import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import { ConfigError } from '../../config/index.js';
import { GogsApiError } from '../../gogs/gogsApiError.js';
import { GogsClient } from '../../gogs/gogsClient.js';
import { GRAPH_SCOPE } from '../../graph/graphClient.js';
import { createGraphCredential } from '../../graph/graphCredential.js';
import { scopeGroups } from '../../sync/policy.js';
import { type App, type BuildOptions, buildApp } from '../composition.js';
import { validationHandshake } from './validationHandshake.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `doctor`: what was checked, what was found, and how to fix a failure. */
export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}

const NEEDED_ROLES = ['User.Read.All', 'Group.Read.All'] as const;
const WEEK = 7 * 86_400_000;

interface GroupBrief {
  id: string;
  displayName?: string;
  isAssignableToRole?: boolean | null;
  groupTypes?: string[];
}

/**
 * The `doctor` checks (issue 7): settings, the Graph token's roles, the Gogs token's site-admin
 * rights and version, mapped groups/orgs/teams, the site-admin group, subscriptions, the
 * notification handshake. Runs in the CLI (local mode) and in the app (`GET /api/doctor`), where
 * the Graph identity is the app's managed identity. Never throws; never reports a secret.
 */
export async function runDoctor(
  env: Readonly<Record<string, string | undefined>>,
  options: BuildOptions & { fetchImpl?: typeof fetch; now?: number } = {},
): Promise<Check[]> {
  const checks: Check[] = [];
  let app: App;
  try {
    app = buildApp(env, undefined, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues)
        checks.push({
          name: 'settings',
          status: 'fail',
          detail: `${issue.path}: ${issue.message}`,
          fix: `set ${issue.key} as docs/settings.md describes`,
        });
      return checks;
    }
    return [
      {
        name: 'settings',
        status: 'fail',
        detail: messageOf(error),
        fix: 'check the settings against docs/settings.md',
      },
    ];
  }
  checks.push({ name: 'settings', status: 'ok', detail: 'every setting is valid' });
  const credential = createGraphCredential(
    app.config.graph,
    options.graphCaPem ? { caPem: options.graphCaPem } : {},
  );
  checks.push(await step('graph token', () => graphToken(credential)));
  checks.push(await step('gogs admin', () => gogsAdmin(app)));
  checks.push({
    name: 'gogs version',
    status: 'warn',
    detail: 'unknown: the Gogs API has no version route',
    fix: 'check the version in the Gogs web UI footer (or `gogs --version`): 0.14.3 or later is needed for TRUSTED_PROXY_IPS (docs/sso.md)',
  });
  for (const groupId of [...scopeGroups(app.policy)].sort()) {
    checks.push(await step(`group ${groupId}`, () => mappedGroup(app, groupId)));
  }
  for (const team of app.policy.teams) {
    checks.push(await step(`team ${team.org}/${team.team}`, () => gogsTeam(app, team.org, team.team)));
  }
  checks.push(await step('subscriptions', () => subscriptions(app, options.now ?? Date.now())));
  const fetchImpl = options.fetchImpl ?? fetch;
  checks.push(
    await step('notification url', () => validationHandshake(fetchImpl, app.config.graph.notificationUrl)),
  );
  checks.push(
    await step('lifecycle url', () =>
      validationHandshake(fetchImpl, app.config.graph.lifecycleNotificationUrl),
    ),
  );
  return checks;
}

async function step(
  name: string,
  work: () => Promise<Omit<Check, 'name'>[] | Omit<Check, 'name'>>,
): Promise<Check> {
  try {
    const result = await work();
    const list = Array.isArray(result) ? result : [result];
    const worst = list.find((c) => c.status === 'fail') ?? list.find((c) => c.status === 'warn') ?? list[0];
    return { name, ...(worst ?? { status: 'ok', detail: '' }) };
  } catch (error) {
    return {
      name,
      status: 'fail',
      detail: messageOf(error),
      fix: 'see the detail; run with --debug for more',
    };
  }
}

async function graphToken(credential: TokenCredential): Promise<Omit<Check, 'name'>> {
  let token: string | undefined;
  try {
    token = (await credential.getToken(GRAPH_SCOPE))?.token;
  } catch (error) {
    return {
      status: 'fail',
      detail: `no token: ${firstLine(messageOf(error))}`,
      fix: 'check AZURE_TENANT_ID, GRAPH_CLIENT_ID and GRAPH_CLIENT_SECRET (or the managed identity)',
    };
  }
  if (!token) return { status: 'fail', detail: 'no token', fix: 'check the Graph credential settings' };
  const roles = rolesOf(token);
  const missing = NEEDED_ROLES.filter((role) => !grants(roles, role));
  if (missing.length > 0) {
    return {
      status: 'fail',
      detail: `the token lacks ${missing.join(', ')} (it has ${roles.join(', ') || 'no roles'})`,
      fix: 'grant the application permissions User.Read.All and Group.Read.All with admin consent (docs/deploy.md#microsoft-graph-permissions)',
    };
  }
  return { status: 'ok', detail: `roles ${roles.join(', ')}` };
}

function grants(roles: readonly string[], needed: string): boolean {
  const [resource] = needed.split('.');
  return roles.some(
    (r) =>
      r === needed ||
      r === `${resource}.ReadWrite.All` ||
      r === 'Directory.Read.All' ||
      r === 'Directory.ReadWrite.All',
  );
}

/** The `roles` claim of a JWT's payload (not verified: only for the report). */
export function rolesOf(jwt: string): string[] {
  const payload = jwt.split('.')[1];
  if (!payload) return [];
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { roles?: unknown };
    return Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}

async function gogsAdmin(app: App): Promise<Omit<Check, 'name'>> {
  const caCert = app.config.gogs.caCert;
  const client = new GogsClient({
    baseUrl: app.config.gogs.url,
    token: app.config.gogs.token,
    retries: 0,
    timeoutMs: 10_000,
    ...(caCert ? { caPem: caCert.kind === 'pem' ? caCert.pem : readFileSync(caCert.path, 'utf8') } : {}),
  });
  try {
    const me = await client.call('GET', '/user', { accept: [200, 401, 403] });
    if (me.status !== 200)
      return {
        status: 'fail',
        detail: `Gogs refused the token (${me.status})`,
        fix: 'set GOGS_TOKEN to a valid access token of a site admin',
      };
    // Gogs answers 404 (no team 0) to a site admin and 403 to anyone else (spec/gogs-api.md §3).
    const { status } = await client.call('GET', '/admin/teams/0/members', { accept: [200, 401, 403, 404] });
    if (status === 404 || status === 200) {
      const owner = await app.gogs.tokenOwner();
      return { status: 'ok', detail: `the token's owner ${owner} is a site admin` };
    }
    if (status === 401)
      return {
        status: 'fail',
        detail: 'Gogs refused the token (401)',
        fix: 'set GOGS_TOKEN to a valid access token of a site admin',
      };
    return {
      status: 'fail',
      detail: "the token is not a site admin's (403)",
      fix: 'create the token as a Gogs site admin, or make its owner one',
    };
  } catch (error) {
    const detail =
      error instanceof GogsApiError ? `Gogs answered ${error.status || error.message}` : messageOf(error);
    return {
      status: 'fail',
      detail,
      fix: 'check GOGS_URL (and GOGS_CA_CERT) and that Gogs is reachable from here',
    };
  }
}

async function mappedGroup(app: App, groupId: string): Promise<Omit<Check, 'name'>[]> {
  let group: GroupBrief;
  try {
    group = await app.graph.get<GroupBrief>(
      `/groups/${groupId}?$select=id,displayName,isAssignableToRole,groupTypes`,
    );
  } catch (error) {
    const status = (error as { status?: number }).status;
    return [
      {
        status: 'fail',
        detail: status === 404 ? 'no such group in the directory' : firstLine(messageOf(error)),
        fix: 'fix the group id in SYNC_MAPPING',
      },
    ];
  }
  const name = group.displayName ?? groupId;
  if (groupId !== app.policy.siteAdminGroup) return [{ status: 'ok', detail: `${name} exists` }];
  const out: Omit<Check, 'name'>[] = [];
  if (group.isAssignableToRole !== true) {
    out.push({
      status: 'fail',
      detail: `${name} (the site-admin group) is not role-assignable`,
      fix: 'use a group created with isAssignableToRole: true, so only privileged role administrators control its membership (DESIGN §3.5)',
    });
  }
  if (group.groupTypes?.includes('DynamicMembership')) {
    out.push({
      status: 'warn',
      detail: `${name} (the site-admin group) has dynamic membership`,
      fix: 'prefer assigned membership for the site-admin group',
    });
  }
  out.push({ status: 'ok', detail: `${name} (the site-admin group) is role-assignable` });
  return out;
}

async function gogsTeam(app: App, org: string, team: string): Promise<Omit<Check, 'name'>> {
  const teams = await app.gogs.listTeams(org);
  if (!teams)
    return {
      status: 'warn',
      detail: `org ${org} does not exist yet`,
      fix: 'the next apply or reconcile creates it',
    };
  const found = teams.find((t) => t.name.toLowerCase() === team.toLowerCase());
  if (!found)
    return {
      status: 'warn',
      detail: `team ${team} does not exist yet`,
      fix: 'the next apply or reconcile creates it',
    };
  return { status: 'ok', detail: `exists (permission ${found.permission})` };
}

async function subscriptions(app: App, now: number): Promise<Omit<Check, 'name'>[]> {
  const records = await app.stores.subscriptions.list();
  const out: Omit<Check, 'name'>[] = [];
  for (const resource of ['users', 'groups']) {
    const record = records.find((r) => r.resource.replace(/^\//, '') === resource);
    if (!record) {
      out.push({
        status: 'fail',
        detail: `no subscription for ${resource}`,
        fix: 'run `entra-gogs-sync subscriptions ensure`',
      });
    } else if (record.expiresAt - now < WEEK) {
      out.push({
        status: 'warn',
        detail: `${resource} expires ${new Date(record.expiresAt).toISOString()}`,
        fix: 'run `entra-gogs-sync subscriptions ensure`',
      });
    }
  }
  const expiry = records
    .map((r) => `${r.resource.replace(/^\//, '')} until ${new Date(r.expiresAt).toISOString()}`)
    .join(', ');
  out.push({ status: 'ok', detail: expiry || 'none' });
  return out;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
