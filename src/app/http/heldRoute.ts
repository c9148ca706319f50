import { type ApiResult, apiError } from './apiResult.js';
import { decideHeld, HeldDecisionSchema, type HeldDeps, listHeld, showHeld } from './heldDecisions.js';
import { parseBody } from './requestBody.js';

const NoteSchema = HeldDecisionSchema.pick({ note: true });

/**
 * The held routes (DESIGN §6 `GET|POST /api/held`):
 * - `GET /api/held?status=held|approved|rejected|all`, `GET /api/held/{id}`;
 * - `POST /api/held` `{id, decision: 'approve'|'reject', note?}` — the canonical form, because
 *   held ids contain `/` (`removeTeamMember:acme/engineering:<oid>`);
 * - `POST /api/held/{id}/approve|reject` `{note?}` — for ids without `/` (a `%2F` the platform
 *   left encoded is read as `/`).
 */
export async function heldRoute(
  request: {
    method: string;
    params: Record<string, string | undefined>;
    query: URLSearchParams;
    bodyText: string;
  },
  deps: HeldDeps,
): Promise<ApiResult> {
  const id = request.params.id?.replace(/%2F/gi, '/');
  const decision = request.params.decision;
  if (request.method === 'GET') {
    if (decision) return apiError(404, 'notFound', 'GET /api/held or /api/held/{id}');
    return id ? showHeld(id, deps) : listHeld(request.query, deps);
  }
  if (!id) {
    const body = parseBody(request.bodyText, HeldDecisionSchema);
    return body.ok ? decideHeld(body.value, deps) : body.result;
  }
  if (decision !== 'approve' && decision !== 'reject') {
    return apiError(
      404,
      'notFound',
      'use POST /api/held/{id}/approve or /reject, or POST /api/held with a body',
    );
  }
  const body = parseBody(request.bodyText, NoteSchema);
  return body.ok ? decideHeld({ id, decision, ...body.value }, deps) : body.result;
}
