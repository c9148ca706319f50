export const MAX_USERNAME_LENGTH = 35;
export const MAX_TEAM_NAME_LENGTH = 30;
/** How many candidates `chooseUsername` tries before giving up (base, base-2 … base-10000). */
export const MAX_USERNAME_CANDIDATES = 10_000;

// spec/gogs-api.md §5: internal/database/users.go:reservedUsernames, matched after trim + lower-case.
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set([
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

// spec §5: the only reserved pattern is `*.keys`, a suffix match after lower-casing.
const RESERVED_SUFFIX = '.keys';
const RESERVED_TEAM_NAME = 'new';

export type UsernameProblem = 'empty' | 'charset' | 'tooLong' | 'reserved' | 'reservedPattern';
export type TeamNameProblem = 'empty' | 'charset' | 'tooLong' | 'reserved';

export type DeriveUsernameInput = {
  objectId: string;
  /** The value of USERNAME_ATTRIBUTE (mailNickname, userPrincipalName or mail). */
  attributeValue: string | null | undefined;
  /** Pinned by SYNC_MAPPING.usernameOverrides. */
  override?: string;
};

export type DeriveUsernameResult = { ok: true; username: string } | { ok: false; reason: string };

export class UsernameExhaustedError extends Error {
  readonly retryable = false;

  constructor(base: string, options?: ErrorOptions) {
    super(`no free username for base "${base}" within ${MAX_USERNAME_CANDIDATES} candidates`, options);
    this.name = 'UsernameExhaustedError';
  }
}

// go-macaron binding rejects on a match of `[^\d\w-_\.]`; Go RE2's \w and \d are ASCII-only (spec §1.4).
const OUTSIDE_ALPHA_DASH_DOT = /[^A-Za-z0-9_.-]/;

function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

/**
 * Gogs' `AlphaDashDot` + `MaxSize(maxLength)` binding rules (spec §1.4): ASCII letters, digits, `_`, `-`, `.`,
 * at most `maxLength` code points. Like the binding rule, it accepts '' (`Required` is a separate rule).
 */
export function isAlphaDashDot(name: string, maxLength: number = MAX_USERNAME_LENGTH): boolean {
  return !OUTSIDE_ALPHA_DASH_DOT.test(name) && codePointLength(name) <= maxLength;
}

function isReservedUsername(name: string): boolean {
  return RESERVED_USERNAMES.has(name.trim().toLowerCase());
}

function hasReservedSuffix(name: string): boolean {
  return name.trim().toLowerCase().endsWith(RESERVED_SUFFIX);
}

/** Why Gogs would refuse this account or org name (spec §2.4, §5), in the order Gogs checks; undefined if accepted. */
export function usernameProblem(
  name: string,
  maxLength: number = MAX_USERNAME_LENGTH,
): UsernameProblem | undefined {
  if (name === '') return 'empty';
  if (OUTSIDE_ALPHA_DASH_DOT.test(name)) return 'charset';
  if (codePointLength(name) > maxLength) return 'tooLong';
  if (isReservedUsername(name)) return 'reserved';
  if (hasReservedSuffix(name)) return 'reservedPattern';
  return undefined;
}

/** Why Gogs would refuse this team name (spec §4.1, §5); undefined if accepted. */
export function teamNameProblem(name: string): TeamNameProblem | undefined {
  if (name === '') return 'empty';
  if (OUTSIDE_ALPHA_DASH_DOT.test(name)) return 'charset';
  if (codePointLength(name) > MAX_TEAM_NAME_LENGTH) return 'tooLong';
  if (name.trim().toLowerCase() === RESERVED_TEAM_NAME) return 'reserved';
  return undefined;
}

// Latin letters that NFKD leaves whole, so stripping combining marks alone would turn them into '-'.
const TRANSLITERATIONS: ReadonlyMap<string, string> = new Map([
  ['ß', 'ss'],
  ['æ', 'ae'],
  ['ø', 'o'],
  ['đ', 'd'],
  ['ð', 'd'],
  ['ł', 'l'],
  ['þ', 'th'],
  ['œ', 'oe'],
  ['ı', 'i'],
  ['ȷ', 'j'],
  ['ħ', 'h'],
  ['ŧ', 't'],
  ['ŋ', 'n'],
  ['ĸ', 'k'],
  ['ə', 'e'],
  ['ɛ', 'e'],
  ['ɔ', 'o'],
  ['ƒ', 'f'],
  ['ƀ', 'b'],
  ['ɓ', 'b'],
  ['ɗ', 'd'],
  ['ƙ', 'k'],
  ['ƴ', 'y'],
  ['ɨ', 'i'],
  ['ʉ', 'u'],
  // Catalan l·l (and NFKD of ŀ) is one word; the middle dot is not a separator.
  ['·', ''],
]);

const COMBINING_MARKS = /\p{M}/gu;
const GUEST_SUFFIX = /#ext#$/i;
const OUTSIDE_USERNAME_ALPHABET = /[^a-z0-9_.-]/gu;
// A run of separators holding a '-' came from replaced characters ("J. R. R." → "j-r-r"); runs of only
// '.' or '_' were in the source and Gogs accepts them, so they stay.
const SEPARATOR_RUN_WITH_DASH = /[._-]*-[._-]*/g;
const LEADING_SEPARATORS = /^[._-]+/;
const TRAILING_SEPARATORS = /[._-]+$/;

function foldToAscii(value: string): string {
  // Lower-case between two NFKD passes: NFKD can yield capitals (℡ → TEL), lower-casing can yield marks (İ → i̇).
  const folded = value
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '');
  let out = '';
  for (const char of folded) out += TRANSLITERATIONS.get(char) ?? char;
  return out;
}

function trimSeparators(value: string): string {
  return value.replace(LEADING_SEPARATORS, '').replace(TRAILING_SEPARATORS, '');
}

/** The DESIGN §3.5 base for one attribute value: ASCII, lower-case, `[a-z0-9_.-]`, at most 35; may be ''. */
export function usernameBase(raw: string): string {
  const withoutGuestMarker = raw.trim().replace(GUEST_SUFFIX, '');
  const replaced = foldToAscii(withoutGuestMarker)
    .replace(OUTSIDE_USERNAME_ALPHABET, '-')
    .replace(SEPARATOR_RUN_WITH_DASH, '-');
  return trimSeparators(trimSeparators(replaced).slice(0, MAX_USERNAME_LENGTH));
}

function isUsable(candidate: string, isTaken: (lowerName: string) => boolean): boolean {
  return usernameProblem(candidate) === undefined && !isTaken(candidate.toLowerCase());
}

function withSuffix(stem: string, n: number): string {
  if (n === 1) return stem.slice(0, MAX_USERNAME_LENGTH).replace(TRAILING_SEPARATORS, '');
  const suffix = `-${n}`;
  // DESIGN §3.5: 35 characters including the suffix; a cut that ends in a separator would read "ab.-2".
  return `${stem.slice(0, MAX_USERNAME_LENGTH - suffix.length).replace(TRAILING_SEPARATORS, '')}${suffix}`;
}

/**
 * DESIGN §3.5 collision handling: `base`, then `base-2`, `base-3`, … (cut so the whole name is at most 35),
 * skipping names Gogs refuses (so `admin` → `admin-2`) and names `isTaken` reports (it receives lower-case:
 * Gogs' uniqueness is case-insensitive across users and orgs). `fallback` replaces a base that is empty
 * after trimming separators. Throws `UsernameExhaustedError` after MAX_USERNAME_CANDIDATES candidates.
 */
export function chooseUsername(
  base: string,
  isTaken: (lowerName: string) => boolean,
  fallback: string,
): string {
  const trimmedBase = trimSeparators(base);
  const stem = trimmedBase === '' ? trimSeparators(fallback) : trimmedBase;
  if (stem === '' || OUTSIDE_ALPHA_DASH_DOT.test(stem)) {
    throw new RangeError(`username base "${base}" (fallback "${fallback}") is not an AlphaDashDot name`);
  }
  for (let n = 1; n <= MAX_USERNAME_CANDIDATES; n += 1) {
    const candidate = withSuffix(stem, n);
    if (isUsable(candidate, isTaken)) return candidate;
  }
  throw new UsernameExhaustedError(stem);
}

const OBJECT_ID_PREFIX = /^[0-9a-f]{8}/;

/** `user-` + the first 8 hex digits of the object id, for users with no usable name (DESIGN §3.5). */
export function fallbackUsername(objectId: string): string {
  const prefix = OBJECT_ID_PREFIX.exec(objectId.trim().toLowerCase().replaceAll('-', ''));
  if (prefix === null) throw new RangeError(`object id "${objectId}" does not start with 8 hex digits`);
  return `user-${prefix[0]}`;
}

// UPN and mail give their local part; Entra forbids '@' in mailNickname, so the cut never touches it.
function localPart(value: string): string {
  const at = value.lastIndexOf('@');
  return at === -1 ? value : value.slice(0, at);
}

/** The whole DESIGN §3.5 decision for one directory user who has no username yet. */
export function deriveUsername(
  input: DeriveUsernameInput,
  isTaken: (lowerName: string) => boolean,
): DeriveUsernameResult {
  const { override } = input;
  if (override !== undefined) {
    // A pinned name is the operator's explicit choice: report it, never alter it.
    const problem = usernameProblem(override);
    if (problem !== undefined) {
      return { ok: false, reason: `usernameOverrides pins "${override}", which Gogs refuses (${problem})` };
    }
    if (isTaken(override.toLowerCase())) {
      return { ok: false, reason: `usernameOverrides pins "${override}", which is already taken` };
    }
    return { ok: true, username: override };
  }
  if (!OBJECT_ID_PREFIX.test(input.objectId.trim().toLowerCase().replaceAll('-', ''))) {
    return { ok: false, reason: `object id "${input.objectId}" does not start with 8 hex digits` };
  }
  const base = usernameBase(localPart(input.attributeValue ?? ''));
  try {
    return { ok: true, username: chooseUsername(base, isTaken, fallbackUsername(input.objectId)) };
  } catch (error) {
    if (error instanceof UsernameExhaustedError) return { ok: false, reason: error.message };
    throw error;
  }
}
