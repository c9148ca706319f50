/**
 * A Gogs API call that failed: the status (0 for a network failure), Gogs' own message from the
 * body when it sent one, and whether trying again can help (5xx and network failures can).
 */
export class GogsApiError extends Error {
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    readonly route: string,
    readonly gogsMessage: string,
    options?: ErrorOptions & { retryable?: boolean },
  ) {
    const what = status === 0 ? 'could not reach Gogs' : `Gogs answered ${status}`;
    super(`${route}: ${what}${gogsMessage ? `: ${gogsMessage}` : ''}`, options);
    this.name = 'GogsApiError';
    this.retryable = options?.retryable ?? (status === 0 || status >= 500);
  }
}

/**
 * Gogs' error bodies: `{"message","url"}` from handlers, an array of `{fieldNames, classification,
 * message}` from binding, or nothing at all (401, 403, 404) — spec/gogs-api.md §1.3.
 */
export function gogsMessageOf(body: string): string {
  if (body.trim() === '') return '';
  try {
    const parsed: unknown = JSON.parse(body);
    if (Array.isArray(parsed)) {
      return parsed
        .map((item) => {
          const fields = Array.isArray(item?.fieldNames) ? `${item.fieldNames.join(', ')}: ` : '';
          return `${fields}${item?.classification ?? ''} ${item?.message ?? ''}`.trim();
        })
        .join('; ');
    }
    if (parsed && typeof parsed === 'object' && 'message' in parsed) return String(parsed.message);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) return String(parsed.error);
  } catch {
    // An HTML page (unknown route, prohibit-login page): say what it is, not the markup.
  }
  return body.trimStart().startsWith('<') ? 'an HTML page instead of JSON' : body.slice(0, 200);
}
