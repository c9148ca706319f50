import { isGuid } from '../../config/primitives.js';
import type { ChangeMessageInput } from '../../state/index.js';
import { type ApiResult, apiError, ok } from './apiResult.js';

export interface UserSyncDeps {
  newId(at: number): string;
  enqueue(message: ChangeMessageInput): Promise<{ messageId: string }>;
  now: number;
  by: string;
}

/**
 * `POST /api/users/{objectId}/sync` → 202: one `user` message with source `operator`, like Entra's
 * provision-on-demand. Its `causeId` ties the audit records of the outcome to this request;
 * `GET /api/audit?user={objectId}&since={acceptedAt}` shows them.
 */
export async function requestUserSync(objectId: string, deps: UserSyncDeps): Promise<ApiResult> {
  if (!isGuid(objectId)) return apiError(400, 'badRequest', 'objectId must be an Entra object id (a GUID)');
  const id = objectId.toLowerCase();
  const causeId = `operator-${deps.newId(deps.now)}`;
  const { messageId } = await deps.enqueue({
    kind: 'user',
    objectId: id,
    source: 'operator',
    causeId,
    receivedAt: deps.now,
  });
  return ok(
    {
      objectId: id,
      causeId,
      messageId,
      acceptedAt: new Date(deps.now).toISOString(),
      audit: `/api/audit?user=${id}&since=${deps.now}`,
    },
    202,
  );
}
