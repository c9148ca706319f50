import { reqBasicAuth, reqToken } from '../auth.js';
import { bind } from '../binding.js';
import type { ApiContext } from '../context.js';
import { CreateAccessTokenOption } from '../forms.js';
import { userJson } from '../render.js';
import type { Router } from '../router.js';

/** Spec §2.1–§2.3 and the token routes of §2.8. */
export function registerUserRoutes(r: Router): void {
  r.add('GET', '/users/search', searchUsers);
  r.add('GET', '/users/:username', getUser);
  r.add('GET', '/users/:username/tokens', listTokens);
  r.add('POST', '/users/:username/tokens', createToken);
  r.add('GET', '/user', getAuthenticatedUser);
}

/**
 * SQL `LIKE '%q%'` without escaping: `%` is any run, `_` any single character (spec §2.2).
 * Greedy wildcard matching with one backtrack point, O(n·m), so hostile patterns stay cheap.
 */
export function likeContains(keyword: string, value: string): boolean {
  const p = [...`%${keyword}%`];
  const v = [...value];
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '_' || (p[pi] !== '%' && p[pi] === v[vi]))) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '%') {
      star = pi++;
      mark = vi;
    } else if (star >= 0) {
      pi = star + 1;
      vi = ++mark;
    } else return false;
  }
  while (pi < p.length && p[pi] === '%') pi++;
  return pi === p.length;
}

/** `limit` as Go's `MustInt`: anything but a positive integer means 10; no upper cap (spec §2.2). */
function searchLimit(raw: string | null): number {
  const n = raw !== null && /^[+-]?\d+$/.test(raw) ? Number(raw) : 0;
  return n > 0 ? n : 10;
}

function searchUsers(c: ApiContext) {
  const keyword = (c.url.searchParams.get('q') ?? '').toLowerCase();
  const data: unknown[] = [];
  if (keyword !== '') {
    const limit = searchLimit(c.url.searchParams.get('limit'));
    for (const a of c.store.accounts.values()) {
      if (data.length >= limit) break;
      if (a.type !== 'user') continue;
      if (!likeContains(keyword, a.lowerName) && !likeContains(keyword, a.fullName.toLowerCase())) continue;
      data.push(userJson(c.baseUrl, a, { showEmail: c.isLogged, emptyLogin: true }));
    }
  }
  c.json(200, { ok: true, data });
}

function getUser(c: ApiContext) {
  const account = c.store.accountByName(c.param(':username'));
  if (!account) return c.notFound();
  c.json(200, userJson(c.baseUrl, account, { showEmail: c.isLogged }));
}

function getAuthenticatedUser(c: ApiContext) {
  if (!reqToken(c) || !c.user) return;
  c.json(200, userJson(c.baseUrl, c.user, { showEmail: true }));
}

/** Acts on the Basic-authenticated caller whatever `:username` says (spec §2.8). */
function listTokens(c: ApiContext) {
  if (!reqBasicAuth(c) || !c.user) return;
  const tokens = c.store.tokensOf(c.user.id).map((t) => ({ name: t.name, sha1: t.sha256.slice(0, 40) }));
  c.json(200, tokens);
}

function createToken(c: ApiContext) {
  if (!reqBasicAuth(c) || !c.user) return;
  const form = bind(c, CreateAccessTokenOption);
  if (!form) return;
  const name = form.string('name');
  const user = c.user;
  if (c.store.tokensOf(user.id).some((t) => t.name === name)) {
    return c.errorStatus(422, `access token already exists: map[name:${name} userID:${user.id}]`);
  }
  const secret = c.store.createToken(user.id, name);
  c.json(201, { name, sha1: secret });
}
