// Placeholder for npm scripts whose issue has not landed yet; exits non-zero so nothing mistakes it for success.
const [, , script, what] = process.argv;
process.stderr.write(`npm run ${script}: not yet — ${what} has not landed.\n`);
process.exit(2);
