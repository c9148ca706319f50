import type { Action, Outcome, UserAction } from '../domain/actions.js';
import type { HiddenFields, IdentityRecord, IdentityStatus } from '../domain/types.js';
import { UsernameTakenError } from './errors.js';
import type { SyncPolicy } from './policy.js';
import type { GitServer, GogsTeamRef, SyncState } from './ports.js';

interface ExecuteDeps {
  git: GitServer;
  state: SyncState;
  policy: SyncPolicy;
}

/** Performs one action against Gogs and records what Gogs will not show back (DESIGN §2.1). */
export async function executeAction(action: Action, deps: ExecuteDeps): Promise<Outcome> {
  const { git } = deps;
  switch (action.kind) {
    case 'createOrg':
      await git.createOrg(action.org);
      return { action, status: 'applied' };
    case 'createTeam':
      await git.createTeam(action.org, action.team, action.permission);
      return { action, status: 'applied' };
    case 'addTeamMember':
      await git.addTeamMember({ org: action.org, team: action.team }, action.username);
      return { action, status: 'applied' };
    case 'removeTeamMember':
      await git.removeTeamMember({ org: action.org, team: action.team }, action.username);
      return { action, status: 'applied' };
    default:
      return executeUserAction(action, deps);
  }
}

async function executeUserAction(action: UserAction, deps: ExecuteDeps): Promise<Outcome> {
  const { git, state, policy } = deps;
  const { username, profile } = action;
  const written = { sourceId: profile.sourceId, loginName: profile.loginName };
  switch (action.kind) {
    case 'createUser':
      // Reserve the name first: if the create then fails, the next plan retries the same name
      // instead of treating our own half-made account as somebody else's.
      await record(state, action, 'active', {}, 'reserved');
      try {
        await git.createUser(username, profile);
      } catch (error) {
        if (error instanceof UsernameTakenError) await record(state, action, 'active', {}, 'refused');
        throw error;
      }
      await record(state, action, 'active', { ...written, active: true, admin: false });
      return { action, status: 'applied' };
    case 'adoptUser':
      await record(state, action, 'active', {}, 'reserved');
      await git.updateUser(username, profile, { active: true });
      await record(state, action, 'active', { ...written, active: true });
      return { action, status: 'applied' };
    case 'updateUser':
      await git.updateUser(username, profile, { active: action.active });
      await record(state, action, action.active ? 'active' : 'suspended', {
        ...written,
        active: action.active,
      });
      return { action, status: 'applied' };
    case 'restoreUser':
      await git.restoreUser(username, profile);
      await record(state, action, 'active', { ...written, active: true });
      return { action, status: 'applied' };
    case 'setSiteAdmin':
      await git.updateUser(username, profile, { admin: action.admin });
      await record(state, action, undefined, { ...written, admin: action.admin });
      return { action, status: 'applied' };
    case 'suspendUser': {
      const residual = await git.suspendUser(username, profile, managedTeamRefs(policy));
      await record(state, action, 'suspended', { ...written, active: false, admin: false });
      return { action, status: 'applied', residual };
    }
    case 'deleteUser': {
      const result = await git.deleteUser(username, profile, managedTeamRefs(policy));
      if (result.deleted) {
        await record(state, action, 'deleted', { ...written, active: false, admin: false });
        return { action, status: 'applied' };
      }
      // Gogs refuses while an org row or a repository remains (spec/gogs-api.md §2.6): the
      // account stays suspended and the manual step is reported, not retried forever.
      await record(state, action, 'suspended', { ...written, active: false, admin: false });
      return {
        action,
        status: 'failed',
        detail: result.refusal,
        residual: result.residual,
        error: { message: `Gogs refused the delete: ${result.refusal}`, retryable: false },
      };
    }
  }
}

function managedTeamRefs(policy: SyncPolicy): GogsTeamRef[] {
  return policy.teams.map((team) => ({ org: team.org, team: team.team }));
}

async function record(
  state: SyncState,
  action: UserAction,
  status: IdentityStatus | undefined,
  written: Partial<HiddenFields>,
  pending?: IdentityRecord['pending'],
): Promise<void> {
  const existing = await state.getIdentity(action.objectId);
  // A name is the object's forever once an account exists; only a pending reservation may change.
  const username = existing && !existing.pending ? existing.username : action.username;
  const next: IdentityRecord = {
    objectId: action.objectId,
    username,
    status: status ?? existing?.status ?? 'active',
    written: { ...existing?.written, ...written },
    ...(existing?.adopted || action.kind === 'adoptUser' ? { adopted: true } : {}),
    ...(pending ? { pending } : {}),
  };
  await state.putIdentity(next);
}
