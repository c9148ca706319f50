import type { ApiContext } from './context.js';
import type { Account } from './model.js';

/**
 * Resolves the caller like Gogs' `authenticatedUser` (spec/gogs-api.md §1.1): access token from the
 * exact `Authorization: token <t>` header, then HTTP Basic with username or email. `?token=` is ignored
 * (v0.14.2+), sessions and the reverse-proxy header are not emulated. Failures leave the caller anonymous.
 */
export function authenticate(c: ApiContext): 'ok' | 'panic' {
  const header = c.header('authorization');
  if (header === '') return 'ok';
  const fields = header.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 2) return 'ok';
  const [scheme, credential] = fields as [string, string];
  if (scheme === 'token') {
    const token = c.store.tokenBySecret(credential);
    const user = token ? c.store.accounts.get(token.uid) : undefined;
    if (token && user) {
      token.updatedAt = c.store.now();
      c.user = user;
      c.isTokenAuth = true;
    }
    return 'ok';
  }
  if (scheme === 'Basic') {
    const pair = decodeBasic(credential);
    // `tool.BasicAuthDecode` indexes past the end when there is no colon: a panic, recovered as 500.
    if (pair === 'panic') return 'panic';
    const user = pair ? authenticateLogin(c, pair[0], pair[1]) : undefined;
    if (user) {
      c.user = user;
      c.isBasicAuth = true;
    }
  }
  return 'ok';
}

function decodeBasic(credential: string): [string, string] | 'panic' | undefined {
  // Go's base64.StdEncoding is strict about the alphabet and padding.
  if (credential.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(credential)) return undefined;
  const decoded = Buffer.from(credential, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return 'panic';
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

/** `Users.Authenticate`: the login is lower-cased; `@` means the primary email column. */
function authenticateLogin(c: ApiContext, login: string, password: string): Account | undefined {
  const probe = login.toLowerCase();
  const account = probe.includes('@') ? c.store.userByEmail(probe) : c.store.accountByName(probe);
  if (!account || account.passwordHash === '') return undefined;
  return c.store.checkPassword(account, password) ? account : undefined;
}

/** `reqToken()`: 401 with an empty body unless authenticated by access token. */
export function reqToken(c: ApiContext): boolean {
  if (c.isTokenAuth) return true;
  c.status(401);
  return false;
}

/** `reqBasicAuth()`: 401 with an empty body unless authenticated by HTTP Basic. */
export function reqBasicAuth(c: ApiContext): boolean {
  if (c.isBasicAuth) return true;
  c.status(401);
  return false;
}

/** `reqAdmin()`: 403 with an empty body, also for anonymous callers. */
export function reqAdmin(c: ApiContext): boolean {
  if (c.user?.isAdmin) return true;
  c.status(403);
  return false;
}
