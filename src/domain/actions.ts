import type { ObjectId, ObjectKey, TeamPermission } from './types.js';

/** Why a plan exists: which notification, catch-up, re-check, reconcile run or operator asked. */
export interface Cause {
  type: 'notification' | 'catchUp' | 'recheck' | 'reconcile' | 'operator';
  /** Message id, run id or operator name: what the audit trail links the action to. */
  id: string;
}

/**
 * Everything a Gogs PATCH must carry: it overwrites omitted fields (spec/gogs-api.md §2.5), so
 * every user write sends the full set.
 */
export interface UserProfile {
  email: string;
  fullName: string;
  sourceId: number;
  loginName: string;
}

interface ActionBase {
  /** Human-readable reason, shown by `plan` and kept in the audit. */
  reason: string;
  /** Epoch ms when the directory reads this action rests on began; fencing compares against it. */
  snapshotAt: number;
  /**
   * The directory objects whose state this action rests on. If any of them was handled after
   * `snapshotAt`, the action is superseded instead of applied (DESIGN §3.3).
   */
  fence: ObjectKey[];
}

interface UserActionBase extends ActionBase {
  objectId: ObjectId;
  username: string;
}

/** Set on removals planned from a suspect read: stored as held, never applied unapproved. */
export type HoldReason = 'suspectRead';

export interface CreateUser extends UserActionBase {
  kind: 'createUser';
  profile: UserProfile;
}

export interface AdoptUser extends UserActionBase {
  kind: 'adoptUser';
  profile: UserProfile;
}

export interface UpdateUser extends UserActionBase {
  kind: 'updateUser';
  profile: UserProfile;
  active: boolean;
  /** Fields that differ; empty for a re-assertion of fields Gogs hides. */
  changes: string[];
  reassert: boolean;
}

export interface SuspendUser extends UserActionBase {
  kind: 'suspendUser';
  /** The email and name Gogs holds, never Entra's, so a profile conflict can't block offboarding. */
  profile: UserProfile;
  /** Re-suspending an already suspended account (keys came back): no new access is removed. */
  alreadySuspended: boolean;
  hold?: HoldReason;
}

export interface RestoreUser extends UserActionBase {
  kind: 'restoreUser';
  profile: UserProfile;
}

export interface DeleteUser extends UserActionBase {
  kind: 'deleteUser';
  profile: UserProfile;
}

export interface SetSiteAdmin extends UserActionBase {
  kind: 'setSiteAdmin';
  admin: boolean;
  profile: UserProfile;
  reassert: boolean;
  hold?: HoldReason;
}

export interface CreateOrg extends ActionBase {
  kind: 'createOrg';
  org: string;
}

export interface CreateTeam extends ActionBase {
  kind: 'createTeam';
  org: string;
  team: string;
  permission: Exclude<TeamPermission, 'owner'>;
}

export interface AddTeamMember extends UserActionBase {
  kind: 'addTeamMember';
  org: string;
  team: string;
}

export interface RemoveTeamMember extends UserActionBase {
  kind: 'removeTeamMember';
  org: string;
  team: string;
  hold?: HoldReason;
}

export type UserAction =
  | CreateUser
  | AdoptUser
  | UpdateUser
  | SuspendUser
  | RestoreUser
  | DeleteUser
  | SetSiteAdmin;
export type Action = UserAction | CreateOrg | CreateTeam | AddTeamMember | RemoveTeamMember;
export type ActionKind = Action['kind'];

/** Actions that take access away: they draw from the deprovision budget (DESIGN §3.3). */
export function isDeprovision(action: Action): boolean {
  switch (action.kind) {
    case 'suspendUser':
      return !action.alreadySuspended;
    case 'deleteUser':
    case 'removeTeamMember':
      return true;
    case 'setSiteAdmin':
      return !action.admin && !action.reassert;
    default:
      return false;
  }
}

/** Order of application: orgs and teams before members, users before memberships. */
export const ACTION_PHASE: Record<ActionKind, number> = {
  createOrg: 0,
  createTeam: 1,
  createUser: 2,
  adoptUser: 2,
  restoreUser: 2,
  updateUser: 2,
  setSiteAdmin: 2,
  suspendUser: 2,
  deleteUser: 2,
  addTeamMember: 3,
  removeTeamMember: 3,
};

/** Order within one user's actions of a phase: the account exists before its flags are set. */
export const ACTION_RANK: Record<ActionKind, number> = {
  createOrg: 0,
  createTeam: 1,
  createUser: 2,
  adoptUser: 3,
  restoreUser: 4,
  updateUser: 5,
  setSiteAdmin: 6,
  suspendUser: 7,
  deleteUser: 8,
  addTeamMember: 9,
  removeTeamMember: 10,
};

/**
 * `deferred`: not attempted because the run's time budget was spent; the run enqueues its
 * continuation. Nothing happened, so deferred outcomes are counted, never audited.
 */
export type OutcomeStatus = 'applied' | 'skipped' | 'superseded' | 'held' | 'failed' | 'deferred';

/** What Gogs' API can neither revoke nor list, per user, with the certainty of each item (DESIGN §1.3). */
export interface ResidualAccess {
  /** Gogs lists no other user's tokens and no API revokes them; only deleting the account does. */
  accessTokens: 'possible';
  /**
   * Org-membership rows no API removes: `known` where the suspend itself removed a team membership
   * in that org, `possible` for the other managed orgs (a row outlives the team membership).
   */
  orgMemberships: { org: string; certainty: 'known' | 'possible' }[];
  publicRepos: string[];
  /** Gogs lists private repositories only to their owner: `present` once a delete is refused for them. */
  privateRepos: 'unknown' | 'present';
  collaborations: 'unknown';
  /** Memberships of teams the mapping does not manage, in the managed orgs (removed or reported). */
  unmanagedTeams: { org: string; team: string; removed: boolean }[];
}

export interface Outcome {
  action: Action;
  status: OutcomeStatus;
  detail?: string;
  error?: { message: string; retryable: boolean };
  residual?: ResidualAccess;
}

/** A stable identity for an action, used for sorting, coalescing and held-action ids. */
export function actionId(action: Action): string {
  switch (action.kind) {
    case 'createOrg':
      return `createOrg:${action.org.toLowerCase()}`;
    case 'createTeam':
      return `createTeam:${action.org.toLowerCase()}/${action.team.toLowerCase()}`;
    case 'addTeamMember':
    case 'removeTeamMember':
      return `${action.kind}:${action.org.toLowerCase()}/${action.team.toLowerCase()}:${action.objectId}`;
    default:
      return `${action.kind}:${action.objectId}`;
  }
}

/** Deterministic plan order: by phase, then by action id. */
export function compareActions(a: Action, b: Action): number {
  const [idA, idB] = [actionId(a), actionId(b)];
  return ACTION_PHASE[a.kind] - ACTION_PHASE[b.kind] || (idA < idB ? -1 : idA > idB ? 1 : 0);
}
