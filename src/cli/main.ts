import { parseArgs } from 'node:util';
import type { Backend } from './backend.js';
import { type CliIo, CommandError, EXIT, UsageError } from './cliIo.js';
import type { CommandContext, OptionValues, ParseArgsOptionsConfig } from './command.js';
import { COMMANDS, findCommand } from './commands/index.js';
import { localBackend } from './localBackend.js';
import { buildLocalApp, type LocalSettings, readLocalSettings } from './localSettings.js';
import { remoteBackend } from './remoteBackend.js';

const GLOBAL_OPTIONS: ParseArgsOptionsConfig = {
  remote: { type: 'string' },
  key: { type: 'string' },
  token: { type: 'string' },
  audience: { type: 'string' },
  settings: { type: 'string' },
  'graph-ca': { type: 'string' },
  json: { type: 'boolean', default: false },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export const GLOBAL_HELP = `global options:
  --remote URL        use a deployed app's admin API (function app URL) instead of local settings
  --key KEY           function key for --remote (or env ENTRA_GOGS_SYNC_KEY)
  --token TOKEN       Entra bearer token for an app with ADMIN_API_AUDIENCE (or env ENTRA_GOGS_SYNC_TOKEN)
  --audience URI      acquire that token with the default Azure credential (az login) for URI/.default
  --settings FILE     local mode: read settings from a local.settings.json ("Values") over the environment
  --graph-ca FILE     local mode: trust this CA for Graph (the emulator's; or env ENTRA_GOGS_SYNC_GRAPH_CA)
  --json              machine-readable output
  --debug             show the stack of an unexpected error
  -h, --help          help (also: entra-gogs-sync <command> --help)`;

function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: entra-gogs-sync <command> [options]

Keeps Gogs in step with Entra ID: the operator CLI, locally (settings from the environment or
--settings) or against a deployed app (--remote). Exit codes: 0 ok, 1 failed, 2 usage, 3 held/guard.

commands:
${lines.join('\n')}

${GLOBAL_HELP}`;
}

/** The CLI: runs one command and returns its exit code; never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch([...argv], io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`error: ${error.message}\nrun \`entra-gogs-sync --help\` for usage\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandError) {
      io.stderr.write(`error: ${error.message}\n`);
      if (debug && error.cause instanceof Error) io.stderr.write(`${error.cause.stack ?? ''}\n`);
      return error.exitCode;
    }
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    io.stderr.write(`error: ${name}: ${message}\n`);
    if (debug && error instanceof Error) io.stderr.write(`${error.stack ?? ''}\n`);
    return EXIT.failed;
  }
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const loose = parseArgs({ args: argv, options: GLOBAL_OPTIONS, strict: false, allowPositionals: true });
  const name = loose.positionals[0];
  if (!name && !loose.values.help) throw new UsageError('no command given');
  if (!name || name === 'help') {
    io.stdout.write(`${topUsage()}\n`);
    return EXIT.ok;
  }
  const command = findCommand(name);
  if (!command) throw new UsageError(`unknown command ${name}`);
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (error) {
    throw new UsageError(`${name}: ${(error as Error).message.split('\n')[0]}`);
  }
  const { values } = parsed;
  if (values.help) {
    io.stdout.write(`${command.usage}\n\n${GLOBAL_HELP}\n`);
    return EXIT.ok;
  }
  const ctx = context(io, values, parsed.positionals.slice(1));
  let opened: Backend | undefined;
  try {
    return await command.run({
      ...ctx,
      backend: async () => {
        opened ??= await ctx.backend();
        return opened;
      },
    });
  } finally {
    await opened?.close();
  }
}

function context(io: CliIo, values: OptionValues, args: string[]): CommandContext {
  const text = (key: string) => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  const remote = text('remote');
  const cwd = io.cwd ?? process.cwd();
  let settings: LocalSettings | undefined;
  const localSettings = () => {
    if (remote) throw new UsageError('this needs local settings, not --remote');
    settings ??= readLocalSettings({ settings: text('settings'), graphCa: text('graph-ca') }, io.env, cwd);
    return settings;
  };
  if (remote && (text('settings') || text('graph-ca'))) {
    throw new UsageError(
      "--settings and --graph-ca are for local mode; --remote uses the app's own settings",
    );
  }
  return {
    io,
    args,
    values,
    json: values.json === true,
    mode: remote ? 'remote' : 'local',
    localSettings,
    out: (line = '') => void io.stdout.write(`${line}\n`),
    backend: async () => {
      if (remote) {
        return remoteBackend({
          baseUrl: remote,
          key: text('key') ?? io.env.ENTRA_GOGS_SYNC_KEY,
          token: text('token') ?? io.env.ENTRA_GOGS_SYNC_TOKEN,
          audience: text('audience'),
        });
      }
      const local = localSettings();
      const log = values.debug ? (line: string) => void io.stderr.write(`${line}\n`) : () => undefined;
      const app = await buildLocalApp(local, { log, warn: log });
      return localBackend(app, local.env, local.graphCaPem);
    },
  };
}
