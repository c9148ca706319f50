import { rootCertificates } from 'node:tls';
import got from 'got';
import { GogsApiError, gogsMessageOf } from './gogsApiError.js';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface GogsClientOptions {
  baseUrl: string;
  /** A site admin's access token; sent only as `Authorization: token …` (spec/gogs-api.md §1.1). */
  token: { reveal(): string };
  /** Extra CA certificates (PEM) for a Gogs behind an internal CA, added to the public roots. */
  caPem?: string;
  timeoutMs?: number;
  /** Retries of idempotent calls after a network failure or a 5xx. */
  retries?: number;
  retryBaseMs?: number;
}

export interface GogsResponse<T> {
  status: number;
  body: T;
}

// Every call of the sync is idempotent in effect except POST (creates): only those aren't retried.
const IDEMPOTENT = new Set<HttpMethod>(['GET', 'PUT', 'DELETE', 'PATCH']);

/**
 * A typed transport for Gogs' API v1: token auth, timeouts, retries with backoff for idempotent
 * calls, and `GogsApiError` carrying Gogs' own message. Statuses listed in `accept` come back as
 * values; anything else throws.
 */
export class GogsClient {
  private readonly api: string;
  private readonly ca: string[] | undefined;

  constructor(private readonly options: GogsClientOptions) {
    this.api = `${options.baseUrl.replace(/\/+$/, '')}/api/v1`;
    this.ca = options.caPem ? [...rootCertificates, options.caPem] : undefined;
  }

  async call<T>(
    method: HttpMethod,
    path: string,
    opts: { json?: unknown; accept?: number[]; route?: string } = {},
  ): Promise<GogsResponse<T>> {
    const route = `${method} ${opts.route ?? path}`;
    const accept = opts.accept ?? [200, 201, 204];
    const attempts = 1 + (IDEMPOTENT.has(method) ? (this.options.retries ?? 4) : 0);
    let last: GogsApiError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(backoff(attempt, this.options.retryBaseMs ?? 200));
      const result = await this.once(method, path, route, opts.json);
      if (result instanceof GogsApiError) {
        last = result;
        if (result.retryable) continue;
        throw result;
      }
      if (accept.includes(result.status))
        return { status: result.status, body: parse<T>(result.text, route) };
      last = new GogsApiError(result.status, route, gogsMessageOf(result.text));
      if (!last.retryable) throw last;
    }
    throw last ?? new GogsApiError(0, route, 'no attempt was made');
  }

  private async once(
    method: HttpMethod,
    path: string,
    route: string,
    json: unknown,
  ): Promise<{ status: number; text: string } | GogsApiError> {
    try {
      const response = await got(`${this.api}${path}`, {
        method,
        headers: { authorization: `token ${this.options.token.reveal()}`, accept: 'application/json' },
        ...(json === undefined ? {} : { json }),
        timeout: { request: this.options.timeoutMs ?? 15_000 },
        retry: { limit: 0 },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
        ...(this.ca ? { https: { certificateAuthority: this.ca } } : {}),
      });
      return { status: response.statusCode, text: response.body };
    } catch (error) {
      // Network failures carry no status; the message names the code, never the token.
      const code = (error as { code?: string }).code ?? 'ERR';
      return new GogsApiError(0, route, code, { cause: error, retryable: true });
    }
  }
}

function parse<T>(text: string, route: string): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    // Gogs renders an HTML page with 200 for a prohibit-login account (spec §1.2).
    throw new GogsApiError(200, route, gogsMessageOf(text), { cause: error, retryable: false });
  }
}

function backoff(attempt: number, baseMs: number): number {
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), 10_000);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
