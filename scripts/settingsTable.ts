// Keeps the settings tables in README.md and docs/settings.md in step with src/config.
// `npx tsx scripts/settingsTable.ts --write` rewrites the marker blocks; without --write it only checks.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readMarkerBlock,
  renderSettingsTable,
  replaceMarkerBlock,
  settingsCatalog,
} from '../src/config/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const targets = [
  { path: join(root, 'README.md'), fresh: '## Settings\n\n' },
  { path: join(root, 'docs', 'settings.md'), fresh: '# Settings\n\n' },
];

const table = renderSettingsTable(settingsCatalog);
const write = process.argv.includes('--write');
let stale = 0;
for (const { path, fresh } of targets) {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (current !== undefined && readMarkerBlock(current) === table) continue;
  if (current !== undefined && readMarkerBlock(current) === undefined && path.endsWith('README.md')) {
    // The README belongs to the lead: never guess where the table goes.
    stale += 1;
    console.error(
      `no ${SETTINGS_START} … ${SETTINGS_END} block in ${path}; add the markers where the table belongs`,
    );
    continue;
  }
  if (write) {
    writeFileSync(path, replaceMarkerBlock(current ?? fresh, table));
    console.log(`updated ${path}`);
  } else {
    stale += 1;
    console.error(`out of date: ${path} (run npx tsx scripts/settingsTable.ts --write)`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
