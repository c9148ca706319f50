import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { ConfigError } from '../../config/index.js';
import { HeldActionError, InvalidMessageError } from '../../state/index.js';
import type { AdminNeed } from '../adminAuth.js';
import { type ApiResult, apiError } from './apiResult.js';
import { type HttpRuntime, httpRuntime } from './processRuntime.js';

/** Who may call a route: a role (when ADMIN_API_AUDIENCE is set), or the function key alone. */
export type Access = AdminNeed | 'keyOnly';

/** One admin call: the runtime, who asked (for the audit) and when. */
export interface AdminCall {
  request: HttpRequest;
  rt: HttpRuntime;
  /** `entra:<oid>` with a bearer token, else `functionKey`. */
  by: string;
  now: number;
}

const SAFE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

/** GETs read (Sync.Read), everything else steers (Sync.Admin). */
export const byMethod = (method: string): Access =>
  method === 'GET' || method === 'HEAD' ? 'read' : 'admin';

/**
 * Wraps an admin core as an HTTP handler (DESIGN §6): the function key is the host's job
 * (`authLevel: 'function'`); when ADMIN_API_AUDIENCE is set, a bearer token with the route's app
 * role is required too, checked before anything else is built or read. Failures become
 * `{error, message}` with the right status and never carry a secret, a token or a stack.
 */
export function adminEndpoint(
  access: Access | ((method: string) => Access),
  handle: (call: AdminCall) => Promise<ApiResult>,
): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async (request, context) => {
    try {
      const rt = httpRuntime();
      const need = typeof access === 'function' ? access(request.method) : access;
      let by = 'functionKey';
      if (need !== 'keyOnly' && rt.authenticate) {
        const auth = await rt.authenticate(request.headers.get('authorization'), need);
        if (!auth.ok) {
          const challenge = auth.status === 401 ? { 'www-authenticate': 'Bearer' } : undefined;
          return toHttp(
            apiError(auth.status, auth.status === 401 ? 'unauthorized' : 'forbidden', auth.reason, challenge),
          );
        }
        by = `entra:${auth.subject}`;
      }
      return toHttp(await handle({ request, rt, by, now: Date.now() }));
    } catch (error) {
      return toHttp(errorResult(error, context));
    }
  };
}

export function toHttp(result: ApiResult): HttpResponseInit {
  const headers = { ...SAFE_HEADERS, ...result.headers };
  if (result.text !== undefined) return { status: result.status, body: result.text, headers };
  if (result.json !== undefined) return { status: result.status, jsonBody: result.json, headers };
  return { status: result.status, headers };
}

/** Maps a thrown error to an answer by its `retryable` flag and class; logs name and message only. */
export function errorResult(
  error: unknown,
  context: Pick<InvocationContext, 'error' | 'invocationId'>,
): ApiResult {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ConfigError) {
    context.error(message);
    return apiError(
      500,
      'configError',
      'the app settings are invalid; the function log names each bad setting',
    );
  }
  context.error(`${name}: ${message}`);
  if (error instanceof HeldActionError) return apiError(409, 'conflict', message);
  if (error instanceof InvalidMessageError) return apiError(400, 'badRequest', message);
  if (error instanceof Error && 'retryable' in error && error.retryable === true) {
    return apiError(503, 'unavailable', `${message}; retry later`, { 'retry-after': '5' });
  }
  // The message of an unexpected error is for the log only: it may quote a URL or a response.
  return apiError(
    500,
    'internal',
    `unexpected ${name}; see the function log for invocation ${context.invocationId}`,
  );
}
