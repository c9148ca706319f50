import { isGuid } from '../../config/primitives.js';
import type { IdentityRecord } from '../../domain/types.js';
import { type ApiResult, apiError } from './apiResult.js';

/**
 * `GET /api/sso/username?oid=…` (DESIGN §3.5): the Gogs username the bridge chose for an Entra
 * object id, for the SSO proxy, which must not derive it. Only active identities answer; a
 * suspended, deleted (tombstone), merely reserved or unknown identity is 403, the status nginx's
 * `auth_request` treats as "refuse" (docs/sso.md). The name also comes as `X-Gogs-Username`,
 * since `auth_request` reads headers only; JSON `{username}`, or the bare name with
 * `Accept: text/plain`; never cached.
 */
export async function lookupSsoUsername(
  params: URLSearchParams,
  accept: string | null,
  getIdentity: (objectId: string) => Promise<IdentityRecord | undefined>,
): Promise<ApiResult> {
  const oid = params.get('oid')?.trim() ?? '';
  if (!isGuid(oid)) return apiError(400, 'badRequest', 'oid must be an Entra object id (a GUID)');
  const identity = await getIdentity(oid.toLowerCase());
  if (identity?.status !== 'active' || identity.pending) {
    return apiError(403, 'forbidden', 'no active Gogs account for this object id');
  }
  const header = { 'x-gogs-username': identity.username };
  if (wantsText(accept)) {
    return {
      status: 200,
      text: identity.username,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...header },
    };
  }
  return { status: 200, json: { username: identity.username }, headers: header };
}

/** Plain text when it is asked for and JSON is not preferred (nginx `auth_request` sends `*\/*`). */
function wantsText(accept: string | null): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((part) => part.split(';')[0]?.trim().toLowerCase());
  const text = types.indexOf('text/plain');
  const json = types.indexOf('application/json');
  return text !== -1 && (json === -1 || text < json);
}
