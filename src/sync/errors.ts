/** Gogs refused a create because an account or org already holds the name (spec/gogs-api.md §2.4). */
export class UsernameTakenError extends Error {
  readonly retryable = false;

  constructor(
    readonly username: string,
    options?: ErrorOptions,
  ) {
    super(`the Gogs name "${username}" is already taken by another account or organization`, options);
    this.name = 'UsernameTakenError';
  }
}

/**
 * Every action of a plan settled, but the fence marks of some users were not written (a storage
 * failure after their writes applied): the message is retried so that the marks are, and what
 * applied is audited before this is thrown.
 */
export class MarksNotWrittenError extends Error {
  readonly retryable = true;

  constructor(
    readonly keys: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`the fence marks of ${keys.length} object(s) were not written (first: ${keys[0]})`, options);
    this.name = 'MarksNotWrittenError';
  }
}
