/** What Graph said about a failed call, read from its error envelope (`{"error":{"code","message",…}}`). */
export interface GraphErrorDetails {
  /** HTTP status; 0 when Graph could not be reached or no token could be had. */
  status: number;
  /** Graph's `error.code` (`Request_ResourceNotFound`, `TooManyRequests`, `syncStateNotFound`, …). */
  code: string;
  /** Graph's `error.message`. */
  graphMessage: string;
  /** `request-id` response header or `innerError.request-id`, for Microsoft support. */
  requestId?: string;
  /** From `Retry-After` when Graph sent one (throttling), in milliseconds. */
  retryAfterMs?: number;
  /** `Location` header (a 410 `resyncRequired` points at a fresh delta URL). */
  location?: string;
}

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([0, 429, 503, 504]);

/**
 * A Graph call that failed. `route` is the method and path without the query string (paging and
 * delta tokens stay out of logs); the bearer token is never part of it. Retry policy hangs off
 * `retryable` (429, 503, 504 and network failures), with `retryAfterMs` when Graph asked for a wait.
 */
export class GraphApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly graphMessage: string;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly location: string | undefined;
  readonly retryable: boolean;

  constructor(
    readonly route: string,
    details: GraphErrorDetails,
    options?: ErrorOptions & { retryable?: boolean },
  ) {
    const what = details.status === 0 ? 'could not reach Graph' : `Graph answered ${details.status}`;
    const code = details.code ? ` ${details.code}` : '';
    super(`${route}: ${what}${code}${details.graphMessage ? `: ${details.graphMessage}` : ''}`, options);
    this.name = 'GraphApiError';
    this.status = details.status;
    this.code = details.code;
    this.graphMessage = details.graphMessage;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.location = details.location;
    this.retryable = options?.retryable ?? RETRYABLE_STATUSES.has(details.status);
  }

  /** True for Graph's "object not found" answers (users, groups, subscriptions, deleted items). */
  get notFound(): boolean {
    return this.status === 404;
  }
}

/** Reads `{"error":{"code","message","innerError":{"request-id"}}}`; tolerant of HTML or empty bodies. */
export function graphErrorOf(text: string): { code: string; message: string; requestId?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    const error = (parsed as { error?: unknown } | null)?.error;
    if (error && typeof error === 'object') {
      const e = error as { code?: unknown; message?: unknown; innerError?: Record<string, unknown> };
      const requestId = e.innerError?.['request-id'];
      return {
        code: typeof e.code === 'string' ? e.code : '',
        message: typeof e.message === 'string' ? e.message : '',
        ...(typeof requestId === 'string' ? { requestId } : {}),
      };
    }
  } catch {
    // not JSON: describe it below
  }
  const trimmed = text.trim();
  if (trimmed === '') return { code: '', message: '' };
  return {
    code: '',
    message: trimmed.startsWith('<') ? 'an HTML page instead of JSON' : trimmed.slice(0, 200),
  };
}
