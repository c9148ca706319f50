import type { IncomingHttpHeaders } from 'node:http';
import type { Account } from './model.js';
import type { GogsStore } from './store.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';
export const HTML_CONTENT_TYPE = 'text/html; charset=UTF-8';
export const DOCS_URL = 'https://github.com/gogs/docs-api';
export const GENERIC_500 = 'Something went wrong, please check the server logs for more information.';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Respond = (reply: Reply) => void;

/** One API request: what macaron's `APIContext` carries, plus the parsed pieces. */
export class ApiContext {
  user: Account | undefined;
  isTokenAuth = false;
  isBasicAuth = false;
  params: Record<string, string> = {};

  constructor(
    readonly method: string,
    readonly url: URL,
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
    readonly store: GogsStore,
    readonly baseUrl: string,
    private readonly respond: Respond,
  ) {}

  get isLogged(): boolean {
    return this.user !== undefined;
  }

  param(name: string): string {
    return this.params[name] ?? '';
  }

  header(name: string): string {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  }

  send(status: number, headers: Record<string, string>, body: string): void {
    this.respond({ status, headers, body });
  }

  json(status: number, value: unknown): void {
    this.send(status, { 'content-type': JSON_CONTENT_TYPE }, JSON.stringify(value));
  }

  /** Status only, empty body, no content type (guards, `NotFound()`, 204s). */
  status(status: number): void {
    this.send(status, {}, '');
  }

  notFound(): void {
    this.status(404);
  }

  /** Gogs' `ErrorStatus`: `{"message","url"}`. */
  errorStatus(status: number, message: string): void {
    this.json(status, { message, url: DOCS_URL });
  }

  /** Gogs' `Error`: any unexpected error becomes a generic 500. */
  serverError(): void {
    this.errorStatus(500, GENERIC_500);
  }

  html(status: number, body: string): void {
    this.send(status, { 'content-type': HTML_CONTENT_TYPE }, body);
  }
}
