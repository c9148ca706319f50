/** Reserved account names and patterns (spec/gogs-api.md §5). */
const RESERVED_USERNAMES = new Set([
  '-',
  '.',
  '..',
  'admin',
  'api',
  'assets',
  'avatar',
  'commits',
  'create',
  'css',
  'debug',
  'explore',
  'help',
  'img',
  'install',
  'issues',
  'js',
  'less',
  'new',
  'org',
  'plugins',
  'pulls',
  'raw',
  'repo',
  'stars',
  'template',
  'user',
]);

/** Returns Gogs' `ErrNameNotAllowed` text, or undefined when the name is allowed. */
export function usernameNotAllowed(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  if (lower.length === 0) return 'name is not allowed: map[reason:empty name]';
  if (RESERVED_USERNAMES.has(lower)) return `name is not allowed: map[name:${lower} reason:reserved]`;
  if (lower.endsWith('.keys')) return 'name is not allowed: map[pattern:*.keys reason:reserved]';
  return undefined;
}

/** Repository names Gogs reserves (`reservedRepoNames`, `reservedRepoPatterns`). */
export function repoNameNotAllowed(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  if (lower.length === 0) return 'name is not allowed: map[reason:empty name]';
  if (lower === '.' || lower === '..') return `name is not allowed: map[name:${lower} reason:reserved]`;
  for (const suffix of ['.git', '.wiki']) {
    if (lower.endsWith(suffix)) return `name is not allowed: map[pattern:*${suffix} reason:reserved]`;
  }
  return undefined;
}

/** ASCII letters, digits, `_`, `-`, `.` (go-macaron binding `AlphaDashDot`). */
export function isAlphaDashDot(value: string): boolean {
  return /^[A-Za-z0-9_.-]*$/.test(value);
}

/** Go's `%q` for the strings the emulator quotes in messages. */
export function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
