export const MAX_EMAIL_LENGTH = 254;

export type DirectoryEmailFields = {
  mail?: string | null;
  userPrincipalName?: string | null;
  userType?: string | null;
};

// go-macaron binding's Email rule is unanchored (spec §1.4), so it passes as soon as some substring matches.
// The shortest such substring is one local character, '@', one or more labels each followed by '.', and one
// alphanumeric: a match of the full pattern always contains one, and this form is itself a match. Written
// without nested ambiguous quantifiers so a long input cannot make the match backtrack for long.
const LOCAL_CHAR = "[A-Za-z0-9_!#$%&'*+/=?^`{|}~-]";
const LABEL = '[A-Za-z0-9_]+(?:-+[A-Za-z0-9_]+)*';
const GOGS_EMAIL_MATCH = new RegExp(`${LOCAL_CHAR}@(?:${LABEL}\\.)+[A-Za-z0-9]`);

const GUEST_UPN_MARKER = '#ext#';
// Go's strings.TrimSpace trims Unicode White_Space: unlike String.prototype.trim, U+0085 but not U+FEFF.
const GO_SPACE_AT_ENDS = /^\p{White_Space}+|\p{White_Space}+$/gu;

function trimLikeGo(value: string): string {
  return value.replace(GO_SPACE_AT_ENDS, '');
}

/** Gogs' `Email` binding rule exactly as go-macaron applies it (spec §1.4): any substring `local@label.tld`. */
export function passesGogsEmailRule(value: string): boolean {
  return GOGS_EMAIL_MATCH.test(value);
}

function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count += 1;
  return count;
}

function isGuest(user: DirectoryEmailFields): boolean {
  return (
    user.userType?.trim().toLowerCase() === 'guest' ||
    (user.userPrincipalName ?? '').toLowerCase().includes(GUEST_UPN_MARKER)
  );
}

/**
 * DESIGN §3.5: `mail`, else the UPN, never a guest's UPN (it holds `#EXT#` and is no address). Trimmed, case
 * kept. A `mail` that is present but unusable does not fall through to the UPN: the user is reported instead
 * of silently getting a different address. undefined when Gogs would refuse the result (`Email;MaxSize(254)`).
 */
export function gogsEmailFor(user: DirectoryEmailFields): string | undefined {
  const mail = trimLikeGo(user.mail ?? '');
  const candidate = mail !== '' ? mail : isGuest(user) ? '' : trimLikeGo(user.userPrincipalName ?? '');
  if (candidate === '' || codePointLength(candidate) > MAX_EMAIL_LENGTH) return undefined;
  return passesGogsEmailRule(candidate) ? candidate : undefined;
}

/**
 * The key Gogs' email uniqueness compares (spec §2.4, §5): trimmed and lower-cased like Go's strings.ToLower,
 * which maps code point by code point, so 'İ' becomes 'i' (JavaScript gives "i̇") and 'Σ' is never 'ς'.
 */
export function emailKey(email: string): string {
  let key = '';
  for (const char of trimLikeGo(email)) key += char === '\u0130' ? 'i' : char.toLowerCase();
  return key;
}
