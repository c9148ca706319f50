import { randomUUID } from 'node:crypto';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { GraphApiError, graphErrorOf } from './graphApiError.js';
import { type HttpResponse, type HttpSend, httpsSender } from './httpsSend.js';
import { backoffMs, DEFAULT_RETRY_POLICY, parseRetryAfter, type RetryPolicy } from './retryPolicy.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphClientOptions {
  /** `https://graph.microsoft.com`, or the emulator's URL: no `/v1.0`, no trailing slash. */
  baseUrl: string;
  credential: TokenCredential;
  /** An extra CA to trust (the emulator's), added to the public roots. */
  caPem?: string;
  retry?: Partial<RetryPolicy>;
  /** Per attempt. */
  timeoutMs?: number;
  /** Test seams: the HTTP exchange, the wait between attempts, jitter, time. */
  send?: HttpSend;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface GraphPage<T> {
  value: T[];
  nextLink?: string;
  deltaLink?: string;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

type Attempt = { ok: true; response: HttpResponse } | { ok: false; error: GraphApiError };

// A token this close to expiry is renewed before use.
const TOKEN_MARGIN_MS = 2 * 60_000;

/**
 * The Graph v1.0 transport: bearer tokens from an `@azure/identity` credential (sent only to the
 * configured origin, never logged), bounded retries on 429/503/504 and network failures honouring
 * `Retry-After` (fractional or absent, spec/graph.md §6), typed `GraphApiError`s, and paging over
 * `@odata.nextLink`. Why not `@microsoft/microsoft-graph-client`: it uses global fetch, whose CAs
 * can only be extended at process start, and its retry handler can't be bounded or observed the
 * way the queue's retry policy (DESIGN §3.2) needs.
 */
export class GraphClient {
  private readonly origin: string;
  private readonly apiRoot: string;
  private readonly policy: RetryPolicy;
  private readonly send: HttpSend;
  private readonly closeSender: () => void;
  private cached: AccessToken | undefined;

  constructor(private readonly options: GraphClientOptions) {
    const base = new URL(options.baseUrl);
    this.origin = base.origin;
    this.apiRoot = `${base.origin}${base.pathname.replace(/\/+$/, '')}/v1.0`;
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (options.send) {
      this.send = options.send;
      this.closeSender = () => {};
    } else {
      const sender = httpsSender(options.caPem ? { caPem: options.caPem } : {});
      this.send = sender.send;
      this.closeSender = sender.close;
    }
  }

  /** One call; resolves to the parsed JSON body (undefined for an empty one), throws `GraphApiError`. */
  async request<T>(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<T> {
    const url = this.resolve(pathOrUrl);
    const route = `${method} ${url.pathname}`;
    const response = await this.withRetries(method, url, route, options);
    return parseBody<T>(response.text, route);
  }

  get<T>(pathOrUrl: string, headers?: Record<string, string>): Promise<T> {
    return this.request<T>('GET', pathOrUrl, headers ? { headers } : {});
  }

  /** Pages of a collection, following `@odata.nextLink` verbatim until there is none. */
  async *pages<T>(pathOrUrl: string, headers?: Record<string, string>): AsyncGenerator<GraphPage<T>> {
    let next: string | undefined = pathOrUrl;
    while (next !== undefined) {
      const body: Record<string, unknown> = await this.get<Record<string, unknown>>(next, headers);
      const value = Array.isArray(body?.value) ? (body.value as T[]) : [];
      const nextLink = typeof body?.['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined;
      const deltaLink = typeof body?.['@odata.deltaLink'] === 'string' ? body['@odata.deltaLink'] : undefined;
      yield { value, ...(nextLink ? { nextLink } : {}), ...(deltaLink ? { deltaLink } : {}) };
      next = nextLink;
    }
  }

  /** Every item of a paged collection. */
  async *items<T>(pathOrUrl: string, headers?: Record<string, string>): AsyncGenerator<T> {
    for await (const page of this.pages<T>(pathOrUrl, headers)) yield* page.value;
  }

  close(): void {
    this.closeSender();
  }

  /** `/users` → `{base}/v1.0/users`; absolute links (nextLink, deltaLink) only on our own origin. */
  private resolve(pathOrUrl: string): URL {
    if (pathOrUrl.startsWith('/')) return new URL(`${this.apiRoot}${pathOrUrl}`);
    const url = new URL(pathOrUrl);
    if (url.origin !== this.origin) {
      // The bearer token must never leave for another host, whatever a response links to.
      throw new GraphApiError(
        `GET ${url.origin}`,
        { status: 0, code: 'foreignLink', graphMessage: `a link points outside ${this.origin}` },
        { retryable: false },
      );
    }
    return url;
  }

  private async withRetries(
    method: string,
    url: URL,
    route: string,
    options: RequestOptions,
  ): Promise<HttpResponse> {
    const clientRequestId = randomUUID();
    let refreshedToken = false;
    for (let attempt = 1; ; attempt++) {
      const result = await this.attempt(method, url, route, options, clientRequestId);
      if (result.ok) return result.response;
      const { error } = result;
      if (error.status === 401 && !refreshedToken) {
        // A revoked or rotated token: fetch a fresh one once, without waiting.
        refreshedToken = true;
        this.cached = undefined;
        continue;
      }
      if (!error.retryable || attempt >= this.policy.maxAttempts) throw error;
      const wait = error.retryAfterMs ?? backoffMs(attempt, this.policy, this.options.random ?? Math.random);
      if (wait > this.policy.maxWaitMs) throw error;
      await (this.options.sleep ?? sleep)(wait);
    }
  }

  private async attempt(
    method: string,
    url: URL,
    route: string,
    options: RequestOptions,
    clientRequestId: string,
  ): Promise<Attempt> {
    const token = await this.token(route);
    const headers: Record<string, string> = {
      accept: 'application/json',
      'client-request-id': clientRequestId,
      ...options.headers,
      authorization: `Bearer ${token}`,
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let response: HttpResponse;
    try {
      response = await this.send({
        method,
        url,
        headers,
        ...(body === undefined ? {} : { body }),
        timeoutMs: this.options.timeoutMs ?? 30_000,
      });
    } catch (cause) {
      const message = cause instanceof Error ? cause.message : String(cause);
      return {
        ok: false,
        error: new GraphApiError(
          route,
          { status: 0, code: 'networkError', graphMessage: message },
          { cause },
        ),
      };
    }
    if (response.status >= 200 && response.status < 300) return { ok: true, response };
    return { ok: false, error: this.errorOf(route, response) };
  }

  private errorOf(route: string, response: HttpResponse): GraphApiError {
    const parsed = graphErrorOf(response.text);
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], (this.options.now ?? Date.now)());
    const requestId = response.headers['request-id'] ?? parsed.requestId;
    const location = response.headers.location;
    return new GraphApiError(route, {
      status: response.status,
      code: parsed.code,
      graphMessage: parsed.message,
      ...(requestId ? { requestId } : {}),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      ...(location ? { location } : {}),
    });
  }

  private async token(route: string): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.cached && this.cached.expiresOnTimestamp - TOKEN_MARGIN_MS > now) return this.cached.token;
    let token: AccessToken | null;
    try {
      token = await this.options.credential.getToken(GRAPH_SCOPE);
    } catch (cause) {
      throw tokenError(route, cause);
    }
    if (!token) throw tokenError(route, undefined);
    this.cached = token;
    return token.token;
  }
}

// MSAL reports a refused secret (invalid_client) as AuthenticationRequiredError.
const PERMANENT_CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
]);

function tokenError(route: string, cause: unknown): GraphApiError {
  const message = cause instanceof Error ? cause.message : 'the credential returned no token';
  // An unreachable or failing authority may recover; a refused secret or a missing identity won't.
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  const retryable =
    cause instanceof Error &&
    !PERMANENT_CREDENTIAL_ERRORS.has(cause.name) &&
    !/\binvalid_[a-z_]+|unauthorized_client/.test(cause.message) &&
    (typeof status !== 'number' || status >= 500 || status === 429);
  return new GraphApiError(
    route,
    { status: 0, code: 'authenticationFailed', graphMessage: message },
    { cause, retryable },
  );
}

function parseBody<T>(text: string, route: string): T {
  if (text.trim() === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new GraphApiError(
      route,
      { status: 200, code: 'invalidJson', graphMessage: 'the response body is not JSON' },
      { cause, retryable: false },
    );
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
