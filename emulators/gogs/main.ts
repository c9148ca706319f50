import { startGogsEmulator } from './index.js';

/** CLI: `npm run emulator:gogs -- --port N --admin-token T [--admin-password P]` (DESIGN §6). */
interface CliOptions {
  port: number;
  adminToken?: string;
  adminPassword?: string;
}

class UsageError extends Error {}

function parseArgs(argv: string[]): CliOptions {
  const options: CliOptions = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const takeValue = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`${name} needs a value`);
      i++;
      return next;
    };
    if (name === '--port') {
      const raw = takeValue();
      const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      if (!(port >= 0 && port <= 65535))
        throw new UsageError(`--port must be an integer from 0 to 65535, got "${raw}"`);
      options.port = port;
    } else if (name === '--admin-token') {
      const token = takeValue();
      if (token === '' || /\s/.test(token))
        throw new UsageError('--admin-token must be a non-empty string without spaces');
      options.adminToken = token;
    } else if (name === '--admin-password') {
      options.adminPassword = takeValue();
    } else {
      throw new UsageError(
        `unknown argument "${arg}" (usage: --port N [--admin-token T] [--admin-password P])`,
      );
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`gogs emulator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const emulator = await startGogsEmulator({
    port: options.port,
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    ...(options.adminPassword === undefined ? {} : { adminPassword: options.adminPassword }),
  });
  process.stdout.write(`ready ${JSON.stringify({ url: emulator.url, adminToken: emulator.adminToken })}\n`);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`gogs emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
