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
