// The name rules themselves live in src/domain (one copy, exactly Gogs'); this file turns their
// verdicts into the sentences a settings error shows.
import {
  MAX_TEAM_NAME_LENGTH,
  MAX_USERNAME_LENGTH,
  teamNameProblem as teamProblem,
  type UsernameProblem,
  usernameProblem,
} from '../domain/usernames.js';

export { MAX_TEAM_NAME_LENGTH, MAX_USERNAME_LENGTH };
export const MAX_ORG_NAME_LENGTH = 35;

function describe(name: string, problem: UsernameProblem, maxLength: number): string {
  switch (problem) {
    case 'empty':
      return 'must not be empty';
    case 'charset':
      return 'may contain only ASCII letters, digits, "_", "-" and "."';
    case 'tooLong':
      return `must be at most ${maxLength} characters (has ${[...name].length})`;
    case 'reserved':
      return name.trim().toLowerCase() === 'new' && maxLength === MAX_TEAM_NAME_LENGTH
        ? '"new" is the one team name Gogs reserves'
        : `"${name}" is a name Gogs reserves`;
    case 'reservedPattern':
      return `"${name}" ends in .keys, which Gogs reserves`;
  }
}

/** Returns why `name` can't be a Gogs user or org name, or undefined when it can. */
export function accountNameProblem(name: string, maxLength: number): string | undefined {
  const problem = usernameProblem(name, maxLength);
  return problem && describe(name, problem, maxLength);
}

/** Returns why `name` can't be a Gogs team name, or undefined when it can. */
export function teamNameProblem(name: string): string | undefined {
  const problem = teamProblem(name);
  return problem && describe(name, problem, MAX_TEAM_NAME_LENGTH);
}
