/**
 * What an admin or webhook core returns, free of any transport: the shell in `functions/` turns it
 * into an `HttpResponseInit`. `json` and `text` are exclusive; errors are `{error, message}`.
 */
export interface ApiResult {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Machine-readable error codes of the admin API, one per kind of failure. */
export type ApiErrorCode =
  | 'badRequest'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'payloadTooLarge'
  | 'applyFailed'
  | 'unavailable'
  | 'configError'
  | 'internal';

export function ok(json: unknown, status = 200): ApiResult {
  return { status, json };
}

export function apiError(
  status: number,
  error: ApiErrorCode,
  message: string,
  headers?: Record<string, string>,
): ApiResult {
  return { status, json: { error, message }, ...(headers ? { headers } : {}) };
}
