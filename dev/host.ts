import { parseArgs } from 'node:util';
import { startFunctionsHost } from './functionsHost.js';

const USAGE = `usage: node --import tsx dev/host.ts [--port 7071] [--root .] [--function-key KEY]

Runs the built Azure Functions app under --root (package.json "main", host.json, local.settings.json)
without Core Tools. Prints one line "ready <json>" once it listens, then one line per invocation and log.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7071' },
      root: { type: 'string', default: '.' },
      'function-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port: not a port: ${values.port}`);
  const functionKey = values['function-key'];
  // Start-up diagnostics go to stderr so that the ready line is the first line on stdout.
  let ready = false;
  const host = await startFunctionsHost({
    root: values.root,
    port,
    log: (line) => (ready ? process.stdout : process.stderr).write(`${line}\n`),
    ...(functionKey ? { functionKey } : {}),
  });
  process.stdout.write(
    `ready ${JSON.stringify({ url: host.url, functions: host.functions, ...(functionKey ? { functionKey } : {}) })}\n`,
  );
  ready = true;

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`stopping (${signal})\n`);
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && error.cause) console.error(error.cause);
  process.exit(1);
});
