import type { CatalogEntry } from './settingsCatalog.js';

export const SETTINGS_START = '<!-- settings:start -->';
export const SETTINGS_END = '<!-- settings:end -->';

const REQUIRED_LABEL = { required: 'yes', optional: 'no', conditional: 'conditional' } as const;

const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultCell(entry: CatalogEntry): string {
  if (entry.default === '') return '(empty)';
  if (entry.default !== undefined) return `\`${entry.default}\``;
  return entry.derivedDefault ?? '';
}

/**
 * The Markdown settings table (key | required | default | description) for the README and docs/settings.md,
 * padded the way Biome formats Markdown tables so `biome check` leaves it alone.
 */
export function renderSettingsTable(catalog: readonly CatalogEntry[]): string {
  const rows = catalog.map((entry) => [
    `\`${entry.key}\``,
    REQUIRED_LABEL[entry.requirement],
    cell(defaultCell(entry)),
    cell(entry.secret ? `${entry.description} Secret.` : entry.description),
  ]);
  const header = ['key', 'required', 'default', 'description'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((text, column) => text.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** Splits a Markdown table into trimmed cells, so tables compare regardless of padding. */
export function tableCells(table: string): string[][] {
  return table
    .trim()
    .split('\n')
    .map((row) =>
      row
        .trim()
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((text) => text.trim()),
    );
}

/** The text between the markers, or undefined when the markers are missing or out of order. */
export function readMarkerBlock(document: string): string | undefined {
  const start = document.indexOf(SETTINGS_START);
  const end = document.indexOf(SETTINGS_END);
  if (start < 0 || end < start) return undefined;
  return document.slice(start + SETTINGS_START.length, end).trim();
}

/** Replaces only the text between the markers; appends a marker block when there is none. */
export function replaceMarkerBlock(document: string, table: string): string {
  const block = `${SETTINGS_START}\n${table}\n${SETTINGS_END}`;
  const start = document.indexOf(SETTINGS_START);
  const end = document.indexOf(SETTINGS_END);
  if (start < 0 || end < start) {
    const separator =
      document === '' || document.endsWith('\n\n') ? '' : document.endsWith('\n') ? '\n' : '\n\n';
    return `${document}${separator}${block}\n`;
  }
  return `${document.slice(0, start)}${block}${document.slice(end + SETTINGS_END.length)}`;
}
