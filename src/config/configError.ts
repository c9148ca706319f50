export interface ConfigIssue {
  /** The environment variable at fault, e.g. `SYNC_MAPPING`. */
  readonly key: string;
  /** Where inside it, e.g. `SYNC_MAPPING.teams[3].team`; equals `key` for scalar settings. */
  readonly path: string;
  /** Why it is wrong; never contains the value of a secret. */
  readonly message: string;
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n');
}

/** Bad settings: fixing them needs an operator, so retrying is pointless. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retryable = false;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: ErrorOptions) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(`Invalid configuration (${count}):\n${formatIssues(issues)}`, options);
    this.issues = issues;
  }
}
