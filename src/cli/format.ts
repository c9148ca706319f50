/** Plain-text tables and CSV for the commands' human and spreadsheet output. */
export function table(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cells = [headers, ...rows.map((row) => row.map(cellText))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : (cell ?? '').padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function csv(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[headers, ...rows.map((row) => row.map(cellText))].map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.join(';');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function csvCell(text: string): string {
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it with a '.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function iso(at: unknown): string {
  return typeof at === 'number' ? new Date(at).toISOString() : typeof at === 'string' ? at : '';
}
