/** How the Graph transport retries: a bound on attempts, exponential backoff, Graph's `Retry-After`. */
export interface RetryPolicy {
  /** Attempts per call, the first included. */
  maxAttempts: number;
  /** First backoff when Graph gave no `Retry-After`; doubles per attempt. */
  baseMs: number;
  /** Ceiling of one backoff. */
  capMs: number;
  /**
   * A `Retry-After` longer than this is not slept through: the call fails with a retryable
   * `GraphApiError` carrying `retryAfterMs`, and the queue re-schedules the job (DESIGN §3.2).
   */
  maxWaitMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseMs: 1000,
  capMs: 30_000,
  maxWaitMs: 60_000,
});

/**
 * `Retry-After` in milliseconds: delta-seconds, fractional allowed (Graph's own sample is `2.128`,
 * spec/graph.md §6), or an HTTP date. Undefined when absent or unreadable: then back off instead.
 */
export function parseRetryAfter(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries of many workers spread. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
