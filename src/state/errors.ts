/**
 * Failures of `src/state`, each with one `retryable` flag (STYLE.md, Errors): the worker retries
 * retryable ones with backoff and records the others.
 */

/** A storage call failed: network, throttling (503/429) and 5xx are retryable, the rest not. */
export class StateStoreError extends Error {
  override readonly name = 'StateStoreError';
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.status = options.status;
    this.retryable = options.retryable;
  }
}

/** An optimistic-concurrency update lost its race too many times in a row. */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  readonly retryable = true;
}

/** Another worker holds the lease of this object; the message is retried later (DESIGN §3.2). */
export class LeaseBusyError extends Error {
  override readonly name = 'LeaseBusyError';
  readonly retryable = true;

  constructor(
    readonly key: string,
    readonly waitedMs: number,
    options?: ErrorOptions,
  ) {
    super(`the lease of ${key} is held by another worker (waited ${waitedMs} ms)`, options);
  }
}

/** A username is an object's forever once its account exists (DESIGN §3.5). */
export class IdentityConflictError extends Error {
  override readonly name = 'IdentityConflictError';
  readonly retryable = false;

  constructor(
    readonly objectId: string,
    readonly existing: string,
    readonly requested: string,
    options?: ErrorOptions,
  ) {
    super(`identity ${objectId} is ${existing} forever, not ${requested}`, options);
  }
}

/** A held action is missing, or was already approved or rejected. */
export class HeldActionError extends Error {
  override readonly name = 'HeldActionError';
  readonly retryable = false;
}

/** A queue message that does not match `ChangeMessageSchema`; retrying can't fix it. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  readonly retryable = false;
}

/** The storage setting could not be turned into clients (never carries the connection string). */
export class StorageSetupError extends Error {
  override readonly name = 'StorageSetupError';
  readonly retryable = false;
}
