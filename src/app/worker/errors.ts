/**
 * Some actions of an applied plan failed in a way that may pass (a Gogs 5xx, a network error):
 * the message is retried with backoff (DESIGN §3.2). The outcomes were audited already.
 */
export class RetryableOutcomesError extends Error {
  override readonly name = 'RetryableOutcomesError';
  readonly retryable = true;

  constructor(
    readonly failed: number,
    firstMessage: string,
    options?: ErrorOptions,
  ) {
    super(`${failed} action(s) failed and may succeed later; first: ${firstMessage}`, options);
  }
}

/**
 * A group read failed on some page during an event: the event is retried rather than planned on
 * a suspect read (a reconcile, which can't wait, holds the removals instead).
 */
export class GroupReadFailedError extends Error {
  override readonly name = 'GroupReadFailedError';
  readonly retryable = true;

  constructor(
    readonly groupId: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`reading the members of group ${groupId} failed: ${reason}`, options);
  }
}

/**
 * A run's reads took so long that it started no write before its deadline: rather than queue a
 * continuation that would do the same, it fails (the message is retried with backoff, and the
 * "no successful reconcile" alert fires if it keeps failing).
 */
export class RunStalledError extends Error {
  override readonly name = 'RunStalledError';
  readonly retryable = true;

  constructor(
    readonly runId: string,
    deferred: number,
    options?: ErrorOptions,
  ) {
    super(
      `run ${runId} started none of its ${deferred} actions before its deadline: its reads took too long`,
      options,
    );
  }
}
