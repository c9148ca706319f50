#!/usr/bin/env node
// The operator CLI (docs/cli.md). Runs the built code: `npm run build` first.
import { main } from '../dist/src/cli/main.js';

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
// Storage and HTTP clients may keep sockets open for a while: don't wait for them.
setTimeout(() => process.exit(code), 200).unref();
