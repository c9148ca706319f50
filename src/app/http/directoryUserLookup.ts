import { isGuid } from '../../config/primitives.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

interface GraphUserBrief {
  id: string;
  userPrincipalName?: string;
  displayName?: string;
  accountEnabled?: boolean;
}

/**
 * `GET /api/directory/users/{upnOrObjectId}`: the Entra object id of a user given by UPN (the
 * CLI's `sync-user <upn>` in `--remote` mode, where only the app's identity can read Graph).
 */
export async function lookupDirectoryUser(
  idOrUpn: string,
  get: (path: string) => Promise<GraphUserBrief | undefined>,
): Promise<ApiResult> {
  const key = idOrUpn.trim();
  if (!isGuid(key) && !/^[^\s/@]+@[^\s/@]+$/.test(key)) {
    return apiError(400, 'badRequest', 'give a user principal name (name@domain) or an object id');
  }
  const user = await get(
    `/users/${encodeURIComponent(key)}?$select=id,userPrincipalName,displayName,accountEnabled`,
  );
  if (!user) return apiError(404, 'notFound', `no user ${key} in the directory`);
  return ok({
    objectId: user.id.toLowerCase(),
    userPrincipalName: user.userPrincipalName ?? null,
    displayName: user.displayName ?? null,
    accountEnabled: user.accountEnabled ?? null,
  });
}
