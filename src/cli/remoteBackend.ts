import type { ApiAnswer, Backend } from './backend.js';
import { CommandError, UsageError } from './cliIo.js';

export interface RemoteOptions {
  baseUrl: string;
  key?: string | undefined;
  token?: string | undefined;
  audience?: string | undefined;
  fetchImpl?: typeof fetch;
}

/**
 * `--remote <function app URL>`: the admin API over HTTPS (DESIGN §6). The function key goes as
 * `x-functions-key`; a bearer token (given, or acquired for `<audience>/.default`) when the app
 * has ADMIN_API_AUDIENCE. Neither is ever printed.
 */
export function remoteBackend(options: RemoteOptions): Backend {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new UsageError(`--remote: not a URL: ${options.baseUrl}`);
  }
  if (base.protocol !== 'https:' && !['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) {
    throw new UsageError('--remote must be an https URL (http only on loopback)');
  }
  const root = base.origin + base.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
  const fetchImpl = options.fetchImpl ?? fetch;
  let bearer: Promise<string | undefined> | undefined;
  const token = () => {
    bearer ??= options.token ? Promise.resolve(options.token) : acquire(options.audience);
    return bearer;
  };
  return {
    mode: 'remote',
    async call(method, path, body) {
      const headers: Record<string, string> = { accept: 'application/json, text/csv' };
      if (options.key) headers['x-functions-key'] = options.key;
      const auth = await token();
      if (auth) headers.authorization = `Bearer ${auth}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let response: Response;
      try {
        response = await fetchImpl(`${root}${path}`, {
          method,
          headers,
          ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
          signal: AbortSignal.timeout(120_000),
        });
      } catch (error) {
        const reason = networkCode(error);
        throw new CommandError(`the admin API at ${base.host} did not answer (${reason})`, { cause: error });
      }
      return toAnswer(response);
    },
    close: async () => undefined,
  };
}

async function toAnswer(response: Response): Promise<ApiAnswer> {
  const text = await response.text();
  const headers = Object.fromEntries(response.headers.entries());
  const type = headers['content-type'] ?? '';
  if (type.includes('json') && text) {
    try {
      return { status: response.status, json: JSON.parse(text), headers };
    } catch {
      // fall through: keep the text
    }
  }
  return { status: response.status, text, headers };
}

async function acquire(audience: string | undefined): Promise<string | undefined> {
  if (!audience) return undefined;
  const { DefaultAzureCredential } = await import('@azure/identity');
  const scope = `${audience.replace(/\/+$/, '')}/.default`;
  try {
    const result = await new DefaultAzureCredential().getToken(scope);
    return result?.token;
  } catch (error) {
    throw new CommandError(`could not get a token for ${scope}: sign in with \`az login\`, or pass --token`, {
      cause: error,
    });
  }
}

/** ECONNREFUSED, ENOTFOUND, a timeout…: what fetch's nested causes say went wrong. */
function networkCode(error: unknown): string {
  if ((error as Error).name === 'TimeoutError') return 'timed out';
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? (error as Error).message;
}
