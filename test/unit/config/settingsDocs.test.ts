import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  readMarkerBlock,
  renderSettingsTable,
  replaceMarkerBlock,
  SETTINGS_END,
  SETTINGS_START,
  safeLoadConfig,
  settingsCatalog,
  tableCells,
} from '../../../src/config/index.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const IDENTITY_FORM_KEYS = settingsCatalog
  .map((entry) => entry.key)
  .filter((key) => key.startsWith('AzureWebJobsStorage__'));

describe('local.settings.sample.json', () => {
  const sample = JSON.parse(read('local.settings.sample.json')) as {
    IsEncrypted: boolean;
    Values: Record<string, string>;
  };

  it('is in the Functions format for the node worker', () => {
    expect(sample.IsEncrypted).toBe(false);
    expect(sample.Values.FUNCTIONS_WORKER_RUNTIME).toBe('node');
    expect(sample.Values.AzureWebJobsStorage).toBe('UseDevelopmentStorage=true');
  });

  it('holds exactly the schema keys, using the connection-string form of storage', () => {
    const expected = [
      'FUNCTIONS_WORKER_RUNTIME',
      ...settingsCatalog.map((entry) => entry.key).filter((key) => !IDENTITY_FORM_KEYS.includes(key)),
    ];

    expect(Object.keys(sample.Values).sort()).toEqual(expected.sort());
  });

  it('loads cleanly', () => {
    const result = safeLoadConfig(sample.Values);

    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('points only at loopback services', () => {
    const urls = Object.values(sample.Values).filter((value) => /^https?:\/\//.test(value));

    for (const url of urls) expect(['127.0.0.1', 'localhost']).toContain(new URL(url).hostname);
  });
});

describe('settings catalog', () => {
  it('describes every setting', () => {
    for (const entry of settingsCatalog) {
      expect(entry.description.length, entry.key).toBeGreaterThan(10);
      expect(entry.requirement === 'required' && entry.default !== undefined, entry.key).toBe(false);
    }
  });

  it('has defaults the schema accepts', () => {
    const result = safeLoadConfig(JSON.parse(read('local.settings.sample.json')).Values);

    expect(result.ok).toBe(true);
  });

  it('marks the secrets', () => {
    expect(settingsCatalog.filter((entry) => entry.secret).map((entry) => entry.key)).toEqual([
      'GRAPH_CLIENT_SECRET',
      'GRAPH_CLIENT_STATE',
      'GRAPH_CLIENT_STATE_PREVIOUS',
      'GOGS_TOKEN',
      'AzureWebJobsStorage',
    ]);
  });
});

describe('settings tables', () => {
  const table = renderSettingsTable(settingsCatalog);

  it.each(['README.md', 'docs/settings.md'])(
    '%s matches the catalog (npx tsx scripts/settingsTable.ts --write)',
    (path) => {
      const block = readMarkerBlock(read(path));

      expect(block, `${path} has no ${SETTINGS_START} … ${SETTINGS_END} block`).toBeDefined();
      expect(tableCells(block ?? '')).toEqual(tableCells(table));
    },
  );

  it('has one row per setting', () => {
    const rows = tableCells(table).slice(2);

    expect(rows.map((row) => row[0])).toEqual(settingsCatalog.map((entry) => `\`${entry.key}\``));
    expect(rows.every((row) => row.length === 4)).toBe(true);
  });

  it('is what scripts/settingsTable.ts would write', () => {
    const run = () =>
      execFileSync(process.execPath, ['--import', 'tsx', 'scripts/settingsTable.ts'], {
        cwd: root,
        stdio: 'pipe',
      });

    expect(run).not.toThrow();
  });

  it('replaces only the marker block', () => {
    const document = `# Intro\n\n${SETTINGS_START}\nold\n${SETTINGS_END}\n\n## Next\n`;

    expect(replaceMarkerBlock(document, 'new')).toBe(
      `# Intro\n\n${SETTINGS_START}\nnew\n${SETTINGS_END}\n\n## Next\n`,
    );
  });

  it('appends a marker block when there is none', () => {
    expect(replaceMarkerBlock('## Settings\n\n', 'table')).toBe(
      `## Settings\n\n${SETTINGS_START}\ntable\n${SETTINGS_END}\n`,
    );
  });
});
