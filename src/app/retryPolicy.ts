/** What to do with a message whose handling failed (DESIGN §3.2: retry policy lives in code). */
export type RetryDecision =
  | { action: 'retry'; delayMs: number; attempt: number }
  | { action: 'poison'; reason: string }
  | { action: 'drop'; reason: string };

export interface RetryTiming {
  retryBaseMs: number;
  retryHorizonMs: number;
}

const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * A retryable failure (Gogs 5xx or network, Graph 429/5xx, a busy lease) comes back as a copy with
 * `attempt + 1`, hidden for `max(Retry-After, min(2^attempt × RETRY_BASE, 15 min))`; once that
 * would pass RETRY_HORIZON after the change was received, it goes to the poison queue instead.
 * Failures a typed error marks permanent are dropped here and recorded by the caller.
 */
export function retryDecision(
  message: { attempt: number; receivedAt: number },
  error: unknown,
  now: number,
  timing: RetryTiming,
): RetryDecision {
  const reason = error instanceof Error ? error.message : String(error);
  if (!isRetryable(error)) return { action: 'drop', reason };
  const backoff = Math.min(2 ** message.attempt * timing.retryBaseMs, MAX_BACKOFF_MS);
  const delayMs = Math.max(retryAfterMs(error) ?? 0, backoff);
  if (now + delayMs - message.receivedAt > timing.retryHorizonMs) {
    return { action: 'poison', reason: `still failing after ${message.attempt + 1} attempts: ${reason}` };
  }
  return { action: 'retry', delayMs, attempt: message.attempt + 1 };
}

// Only our typed errors can say "permanent"; anything else (a bug, an unexpected throw) is retried
// and ends in the poison queue, where it can be re-driven after a fix: nothing is lost.
function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('retryable' in error)) return true;
  return error.retryable === true;
}

function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('retryAfterMs' in error)) return undefined;
  const value = error.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
