import type { Check } from './doctorChecks.js';

/**
 * What Graph does before it creates a subscription (DESIGN §3.1): `POST ?validationToken=…` must
 * answer 200, `text/plain`, the token itself. The URL's query (the function key) is kept, never shown.
 */
export async function validationHandshake(
  fetchImpl: typeof fetch,
  url: string,
): Promise<Omit<Check, 'name'>> {
  const token = `doctor-${Date.now().toString(36)}`;
  const target = new URL(url);
  target.searchParams.set('validationToken', token);
  const fix =
    'the URL must reach the graphWebhook/graphLifecycle function with its key; see docs/operations.md (Handshake failing)';
  const where = `${target.origin}${target.pathname}`;
  let response: Response;
  try {
    response = await fetchImpl(target, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    return { status: 'fail', detail: `${where} did not answer: ${firstLine(messageOf(error))}`, fix };
  }
  const body = await response.text();
  const type = response.headers.get('content-type') ?? '';
  if (response.status !== 200 || body !== token || !type.startsWith('text/plain')) {
    return {
      status: 'fail',
      detail: `${where} answered ${response.status} ${type || 'without a content type'}, not the token`,
      fix,
    };
  }
  return { status: 'ok', detail: `${where} answers the validation handshake` };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}
