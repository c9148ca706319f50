import type { Action } from '../domain/actions.js';
import { teamKey } from '../domain/types.js';
import { desiredAccess } from './compareUser.js';
import type { SyncPolicy } from './policy.js';
import { scopeGroups } from './policy.js';
import type { UserRead } from './ports.js';

/**
 * DESIGN §3.3: restores, creates and team additions from a snapshot older than
 * RECONCILE_FRESHNESS re-read the user first, so a stale reconcile never restores a leaver.
 * Returns undefined for actions that grant nothing (they need no re-read).
 */
export async function stillGranted(
  action: Action,
  deps: { readUser: (objectId: string) => Promise<UserRead>; policy: SyncPolicy },
): Promise<boolean | undefined> {
  const grants =
    action.kind === 'createUser' ||
    action.kind === 'adoptUser' ||
    action.kind === 'restoreUser' ||
    action.kind === 'addTeamMember' ||
    (action.kind === 'setSiteAdmin' && action.admin) ||
    (action.kind === 'updateUser' && action.active);
  if (!grants) return undefined;
  const read = await deps.readUser(action.objectId);
  const access = desiredAccess(
    { presence: read.presence, user: read.user, groups: new Set(read.groups) },
    deps.policy,
    scopeGroups(deps.policy),
  );
  if (!access.active) return false;
  if (action.kind === 'setSiteAdmin') return access.admin;
  if (action.kind === 'addTeamMember') return access.teams.has(teamKey(action.org, action.team));
  return true;
}
