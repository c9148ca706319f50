import type { IdentityRecord } from '../../domain/types.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

/**
 * `GET /api/identities?status=active|suspended|deleted`: the identities table (object id →
 * username, status, what was last written of the fields Gogs hides), for the CLI's
 * `identities export` and `report access` in `--remote` mode.
 */
export function listIdentities(params: URLSearchParams, identities: readonly IdentityRecord[]): ApiResult {
  const status = params.get('status');
  if (status !== null && status !== 'active' && status !== 'suspended' && status !== 'deleted') {
    return apiError(400, 'badRequest', 'status must be active, suspended or deleted');
  }
  const rows = identities
    .filter((identity) => status === null || identity.status === status)
    .sort((a, b) => a.username.localeCompare(b.username));
  return ok({ count: rows.length, identities: rows });
}
