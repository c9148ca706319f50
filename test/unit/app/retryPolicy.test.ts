import { describe, expect, it } from 'vitest';
import { retryDecision } from '../../../src/app/retryPolicy.js';

const timing = { retryBaseMs: 100, retryHorizonMs: 24 * 3_600_000 };
const retryable = Object.assign(new Error('Gogs answered 503'), { retryable: true });

describe('retryDecision', () => {
  it('backs off exponentially from RETRY_BASE, capped at 15 minutes', () => {
    const delays = [0, 1, 2, 3, 20].map((attempt) =>
      retryDecision({ attempt, receivedAt: 0 }, retryable, 0, timing),
    );
    expect(delays).toEqual([
      { action: 'retry', delayMs: 100, attempt: 1 },
      { action: 'retry', delayMs: 200, attempt: 2 },
      { action: 'retry', delayMs: 400, attempt: 3 },
      { action: 'retry', delayMs: 800, attempt: 4 },
      { action: 'retry', delayMs: 900_000, attempt: 21 },
    ]);
  });

  it('waits at least what Retry-After asked, fractional seconds included', () => {
    const throttled = Object.assign(new Error('429'), { retryable: true, retryAfterMs: 2_500 });
    expect(retryDecision({ attempt: 0, receivedAt: 0 }, throttled, 0, timing)).toMatchObject({
      delayMs: 2_500,
    });
    const missing = Object.assign(new Error('429'), { retryable: true, retryAfterMs: undefined });
    expect(retryDecision({ attempt: 2, receivedAt: 0 }, missing, 0, timing)).toMatchObject({ delayMs: 400 });
  });

  it('poisons only past RETRY_HORIZON, and drops what retrying cannot fix', () => {
    const late = retryDecision({ attempt: 30, receivedAt: 0 }, retryable, 24 * 3_600_000 - 60_000, timing);
    expect(late).toMatchObject({ action: 'poison', reason: expect.stringContaining('31 attempts') });
    const permanent = Object.assign(new Error('Gogs answered 422'), { retryable: false });
    expect(retryDecision({ attempt: 0, receivedAt: 0 }, permanent, 0, timing)).toEqual({
      action: 'drop',
      reason: 'Gogs answered 422',
    });
    // An untyped throw (a bug) is never dropped: it retries and ends in the poison queue.
    expect(retryDecision({ attempt: 0, receivedAt: 0 }, new TypeError('bug'), 0, timing)).toMatchObject({
      action: 'retry',
    });
  });
});
