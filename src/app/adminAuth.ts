import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';

/** App roles of the sync's admin API: reading status and audit, or steering the sync. */
export const ADMIN_ROLES = { read: 'Sync.Read', admin: 'Sync.Admin' } as const;

export type AdminNeed = keyof typeof ADMIN_ROLES;

export type AdminAuthResult =
  | { ok: true; subject: string; roles: string[] }
  | { ok: false; status: 401 | 403; reason: string };

export interface AdminAuthOptions {
  tenantId: string;
  authorityHost: string;
  /** ADMIN_API_AUDIENCE: the Application ID URI or client id of the admin API's app registration. */
  audience: string;
  /** Signing keys; by default Entra's JWKS for the tenant, fetched and cached by jose. */
  keys?: JWTVerifyGetKey;
}

/**
 * When ADMIN_API_AUDIENCE is set, admin routes also need an Entra bearer token (DESIGN §6): signed
 * by the tenant's keys, issued for this tenant (v1 or v2 issuer), for our audience, and carrying
 * the app role the route needs (`Sync.Admin` covers reading too).
 */
export function adminAuthenticator(options: AdminAuthOptions) {
  const authority = options.authorityHost.replace(/\/+$/, '');
  const keys =
    options.keys ?? createRemoteJWKSet(new URL(`${authority}/${options.tenantId}/discovery/v2.0/keys`));
  const issuers = [`${authority}/${options.tenantId}/v2.0`, `https://sts.windows.net/${options.tenantId}/`];

  return async (authorization: string | null | undefined, need: AdminNeed): Promise<AdminAuthResult> => {
    const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) return { ok: false, status: 401, reason: 'an Entra bearer token is required' };
    try {
      const { payload } = await jwtVerify(match[1], keys, {
        issuer: issuers,
        audience: options.audience,
        algorithms: ['RS256'],
        clockTolerance: 60,
      });
      if (payload.tid !== undefined && payload.tid !== options.tenantId) {
        return { ok: false, status: 401, reason: 'the token is for another tenant' };
      }
      const roles = Array.isArray(payload.roles)
        ? payload.roles.filter((r): r is string => typeof r === 'string')
        : [];
      const allowed = roles.includes(ADMIN_ROLES.admin) || roles.includes(ADMIN_ROLES[need]);
      if (!allowed)
        return { ok: false, status: 403, reason: `the token lacks the app role ${ADMIN_ROLES[need]}` };
      return { ok: true, subject: String(payload.oid ?? payload.sub ?? 'unknown'), roles };
    } catch (error) {
      // jose's messages name the failing claim, never the token.
      const reason = error instanceof errors.JOSEError ? error.message : 'the token could not be verified';
      return { ok: false, status: 401, reason };
    }
  };
}
