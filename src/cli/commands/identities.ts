import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { App } from '../../app/composition.js';
import { isGuid } from '../../config/primitives.js';
import type { IdentityRecord } from '../../domain/types.js';
import { isAlphaDashDot } from '../../domain/usernames.js';
import { okJson } from '../backend.js';
import { CommandError, EXIT, UsageError } from '../cliIo.js';
import type { Command, CommandContext } from '../command.js';
import { stringOption } from '../command.js';
import { csv } from '../format.js';
import { LOCAL_ACTOR } from '../localBackend.js';

const LOCAL_ONLY =
  "writes the identities table, which the admin API does not expose: run it in local mode with the app's settings (--settings), not --remote";

export const identitiesCommand: Command = {
  name: 'identities',
  summary: 'export, import or link object id → Gogs username mappings',
  usage: `usage: entra-gogs-sync identities export [--format json|csv] [--status active|suspended|deleted]
       entra-gogs-sync identities import <file.json>          (local mode only)
       entra-gogs-sync identities link <objectId> <username>  (local mode only)

export prints the identities table (object id → username, status, the hidden fields last written).
import adds the records of an export (a JSON {identities: [...]} or an array) that are not there
yet; a record that conflicts with an existing one (the same object id with another username, or
the same username with another object id) is refused: mappings are forever.
link maps an Entra user to an existing Gogs account (a manual adoption); the next reconcile
manages it. import and link write the identities table, which the admin API does not expose.
Exit 0, 1 on a conflict or failure, 2 for import/link with --remote.`,
  options: { format: { type: 'string' }, status: { type: 'string' } },
  run: async (ctx) => {
    const [sub, ...rest] = ctx.args;
    if (sub === 'export') return exportIdentities(ctx);
    if (sub !== 'import' && sub !== 'link') throw new UsageError('identities takes export, import or link');
    if (ctx.mode === 'remote') throw new UsageError(`identities ${sub} ${LOCAL_ONLY}`);
    if (sub === 'import' && rest.length !== 1) throw new UsageError('identities import takes one file');
    const [objectId, username, ...extra] = rest;
    if (sub === 'link' && (!objectId || !username || extra.length > 0))
      throw new UsageError('identities link takes <objectId> <username>');
    const app = (await ctx.backend()).app;
    if (!app) throw new CommandError(`identities ${sub} needs local mode`);
    if (sub === 'import') return importIdentities(ctx, app, rest[0] as string);
    return link(ctx, app, objectId as string, username as string);
  },
};

async function exportIdentities(ctx: CommandContext): Promise<number> {
  const status = stringOption(ctx.values, 'status');
  const format = stringOption(ctx.values, 'format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
  const body = okJson<{ count: number; identities: IdentityRecord[] }>(
    await (await ctx.backend()).call(
      'GET',
      `/api/identities${status ? `?status=${encodeURIComponent(status)}` : ''}`,
    ),
    'exporting identities',
  );
  if (format === 'json') ctx.out(JSON.stringify(body, null, 2));
  else
    ctx.io.stdout.write(
      csv(
        ['objectId', 'username', 'status', 'admin', 'active', 'adopted'],
        body.identities.map((i) => [
          i.objectId,
          i.username,
          i.status,
          i.written.admin,
          i.written.active,
          i.adopted ?? false,
        ]),
      ),
    );
  return EXIT.ok;
}

async function importIdentities(ctx: CommandContext, app: App, file: string): Promise<number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(resolve(ctx.io.cwd ?? process.cwd(), file), 'utf8'));
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { identities?: unknown }).identities;
  if (!Array.isArray(list))
    throw new CommandError(`${file} holds no identities (an export, or an array of records)`);
  const existing = await app.stores.sync.listIdentities();
  const byId = new Map(existing.map((i) => [i.objectId, i]));
  const byName = new Map(existing.map((i) => [i.username.toLowerCase(), i]));
  const result = { added: 0, unchanged: 0, conflicts: [] as string[] };
  for (const [index, raw] of list.entries()) {
    const record = raw as Partial<IdentityRecord>;
    const problem = recordProblem(record);
    if (problem) {
      result.conflicts.push(`[${index}]: ${problem}`);
      continue;
    }
    const objectId = (record.objectId as string).toLowerCase();
    const username = record.username as string;
    const sameId = byId.get(objectId);
    const sameName = byName.get(username.toLowerCase());
    if (sameId && sameId.username.toLowerCase() === username.toLowerCase()) result.unchanged++;
    else if (sameId) result.conflicts.push(`${objectId} is already ${sameId.username}`);
    else if (sameName) result.conflicts.push(`${username} already belongs to ${sameName.objectId}`);
    else {
      const next: IdentityRecord = {
        objectId,
        username,
        status: record.status ?? 'active',
        written: record.written ?? {},
        ...(record.adopted ? { adopted: true } : {}),
      };
      await app.stores.sync.putIdentity(next);
      byId.set(objectId, next);
      byName.set(username.toLowerCase(), next);
      result.added++;
    }
  }
  await audit(app, 'identitiesImported', `${result.added} added from ${file}`);
  if (ctx.json) ctx.out(JSON.stringify(result, null, 2));
  else {
    ctx.out(`${result.added} added, ${result.unchanged} unchanged, ${result.conflicts.length} refused`);
    for (const line of result.conflicts) ctx.out(`  refused ${line}`);
  }
  return result.conflicts.length > 0 ? EXIT.failed : EXIT.ok;
}

function recordProblem(record: Partial<IdentityRecord>): string | undefined {
  if (typeof record.objectId !== 'string' || !isGuid(record.objectId)) return 'objectId is not a GUID';
  if (typeof record.username !== 'string' || !isAlphaDashDot(record.username))
    return 'username is not a valid Gogs username';
  if (record.status !== undefined && !['active', 'suspended', 'deleted'].includes(record.status))
    return 'status must be active, suspended or deleted';
  return undefined;
}

async function link(ctx: CommandContext, app: App, objectIdText: string, username: string): Promise<number> {
  if (!isGuid(objectIdText)) throw new UsageError(`${objectIdText} is not an object id (a GUID)`);
  const objectId = objectIdText.toLowerCase();
  const existing = await app.stores.sync.listIdentities();
  const sameId = existing.find((i) => i.objectId === objectId);
  if (sameId) {
    if (sameId.username.toLowerCase() === username.toLowerCase()) {
      ctx.out(`${objectId} is already linked to ${sameId.username}`);
      return EXIT.ok;
    }
    throw new CommandError(`${objectId} is already linked to ${sameId.username}; mappings are forever`);
  }
  const sameName = existing.find((i) => i.username.toLowerCase() === username.toLowerCase());
  if (sameName) throw new CommandError(`${username} already belongs to ${sameName.objectId}`);
  const account = await app.gogs.getAccount(username);
  if (!account) throw new CommandError(`Gogs has no account ${username}`);
  const owner = await app.gogs.tokenOwner();
  if (
    account.username.toLowerCase() === owner.toLowerCase() ||
    app.policy.protectedUsers.has(account.username.toLowerCase())
  ) {
    throw new CommandError(`${account.username} is the token's owner or protected, and is never managed`);
  }
  await app.stores.sync.putIdentity({
    objectId,
    username: account.username,
    status: 'active',
    written: {},
    adopted: true,
  });
  await audit(app, 'identityLinked', `${objectId} → ${account.username}`, objectId, account.username);
  ctx.out(
    ctx.json
      ? JSON.stringify({ objectId, username: account.username, linked: true })
      : `${objectId} linked to ${account.username}; the next apply manages it`,
  );
  return EXIT.ok;
}

async function audit(
  app: App,
  kind: string,
  reason: string,
  objectId?: string,
  username?: string,
): Promise<void> {
  await app.stores.audit.write([
    {
      type: 'event',
      kind,
      status: 'done',
      appliedAt: app.clock.now(),
      actor: LOCAL_ACTOR,
      reason,
      ...(objectId ? { objectId } : {}),
      ...(username ? { username } : {}),
    },
  ]);
}
