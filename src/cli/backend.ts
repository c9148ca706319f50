import type { App } from '../app/composition.js';
import { CommandError } from './cliIo.js';

/** An admin API answer, from HTTP (`--remote`) or from the same cores run in-process (local). */
export interface ApiAnswer {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** The admin API as the commands see it, whichever mode they run in. */
export interface Backend {
  mode: 'local' | 'remote';
  /** Local mode only: the App, for the commands that go beyond the admin API (sync-user, identities). */
  app?: App;
  call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer>;
  close(): Promise<void>;
}

/** The JSON of a 2xx answer; anything else becomes one sentence naming the route and the API's message. */
export function okJson<T = Record<string, unknown>>(answer: ApiAnswer, what: string): T {
  if (answer.status >= 200 && answer.status < 300) return (answer.json ?? {}) as T;
  throw new CommandError(`${what} failed: ${messageOf(answer)}`);
}

export function messageOf(answer: ApiAnswer): string {
  const body = answer.json as { error?: string; message?: string } | undefined;
  if (body?.message) return `${body.message} (${answer.status})`;
  if (answer.status === 401) return 'the admin API refused the credentials (401): check --key or --token';
  if (answer.status === 403) return 'the admin API refused access (403): the token lacks the role';
  if (answer.status === 404) return 'the admin API has no such route (404): is the URL the function app?';
  return `the admin API answered ${answer.status}`;
}
