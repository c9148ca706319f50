import type { Action } from '../domain/actions.js';
import { actionId, compareActions } from '../domain/actions.js';
import type { GogsAccount, IdentityRecord, ManagedTeam, ObjectId } from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import { compareTeam, type Member } from './compareTeam.js';
import { compareUser, desiredAccess, type UserDecision } from './compareUser.js';
import type { DesiredUser, Finding, Plan, PlanInput } from './model.js';
import { type PlanContext, planContext } from './planContext.js';
import { type SyncPolicy, scopeGroups } from './policy.js';

/** Full reconcile: every user the directory or the identities table knows, every managed team. */
export function planSync(input: PlanInput, policy: SyncPolicy): Plan {
  const ctx = planContext(input, policy);
  const ids = new Set<ObjectId>([...input.desired.users.keys(), ...input.identities.keys()]);
  const decisions = new Map<ObjectId, UserDecision>();
  for (const objectId of [...ids].sort()) {
    decisions.set(objectId, compareUser(ctx, objectId, input.desired.users.get(objectId)));
  }
  const teamPlans = policy.teams.map((team) => compareTeam(ctx, team, teamScope(team, decisions)));
  return assemble(ctx, [...decisions.values()], teamPlans, []);
}

/**
 * One user changed (notification, re-check, `sync-user`): their account and their memberships of
 * the given managed teams (by default all; `input.actual` must hold every team given).
 */
export function planUser(
  input: PlanInput,
  policy: SyncPolicy,
  objectId: ObjectId,
  teams: readonly ManagedTeam[] = policy.teams,
): Plan {
  const ctx = planContext(input, policy);
  const decision = compareUser(ctx, objectId, input.desired.users.get(objectId));
  const decisions = new Map([[objectId, decision]]);
  const teamPlans = teams.map((team) =>
    compareTeam(ctx, team, { ...teamScope(team, decisions), onlyUser: objectId }),
  );
  return assemble(ctx, [decision], teamPlans, []);
}

/**
 * How far a single-user plan checks team memberships: `all` managed teams (an operator's
 * `sync-user`: stray memberships are taken away too); `theirs`, the teams the user belongs in
 * (re-checks and retries: what an earlier attempt left undone gets done); `event`, a first
 * delivery, the same unless the account is managed, active and stays so — a user event changes the
 * account, and memberships arrive as group changes, whose plans add and remove.
 */
export type TeamCheck = 'all' | 'theirs' | 'event';

/**
 * The managed teams a single-user plan reads and compares (`input.actual` must hold each). A
 * suspension finds every managed team itself, so a user leaving scope needs none.
 */
export function teamsForUserPlan(
  policy: SyncPolicy,
  desired: DesiredUser | undefined,
  state: { identity: IdentityRecord | undefined; account: GogsAccount | undefined; check: TeamCheck },
): ManagedTeam[] {
  if (state.check === 'all') return [...policy.teams];
  const access = desiredAccess(desired, policy, scopeGroups(policy));
  if (!access.active) return [];
  if (state.check === 'event' && state.identity?.status === 'active' && state.account) return [];
  return policy.teams.filter((team) => access.teams.has(teamKey(team.org, team.team)));
}

/**
 * Groups changed: reconcile the given managed teams. `input.desired.users` holds the members read
 * from those teams' groups. Members may be created or restored here (a user entering scope arrives
 * as a group change); members taken out are returned as follow-ups, since only a plan of their own
 * can tell whether they left scope altogether.
 */
export function planTeams(input: PlanInput, policy: SyncPolicy, teams: readonly ManagedTeam[]): Plan {
  const ctx = planContext(input, policy);
  const decisions = new Map<ObjectId, UserDecision>();
  for (const objectId of [...input.desired.users.keys()].sort()) {
    decisions.set(objectId, compareUser(ctx, objectId, input.desired.users.get(objectId), true));
  }
  const teamPlans = teams.map((team) => compareTeam(ctx, team, teamScope(team, decisions)));
  const followUps = [...new Set(teamPlans.flatMap((plan) => plan.removed))].sort();
  return assemble(ctx, [...decisions.values()], teamPlans, followUps);
}

function teamScope(team: ManagedTeam, decisions: ReadonlyMap<ObjectId, UserDecision>) {
  const key = teamKey(team.org, team.team);
  const desired = new Map<string, Member>();
  const offboarding = new Set<ObjectId>();
  for (const [objectId, decision] of decisions) {
    if (decision.offboarding) offboarding.add(objectId);
    if (decision.active && decision.username && decision.teams.has(key)) {
      desired.set(decision.username.toLowerCase(), { objectId, username: decision.username });
    }
  }
  return { desired, offboarding };
}

function assemble(
  ctx: PlanContext,
  decisions: readonly UserDecision[],
  teamPlans: readonly { actions: Action[]; findings: Finding[] }[],
  followUps: ObjectId[],
): Plan {
  // Two teams of one missing org both ask for it: keep one action per id.
  const actions = new Map<string, Action>();
  for (const action of [...decisions.flatMap((d) => d.actions), ...teamPlans.flatMap((t) => t.actions)]) {
    if (!actions.has(actionId(action))) actions.set(actionId(action), action);
  }
  return {
    snapshotAt: ctx.snapshotAt,
    actions: [...actions.values()].sort(compareActions),
    findings: [
      ...[...ctx.suspects].sort().map(([groupId, why]): Finding => ({ kind: 'suspectGroup', groupId, why })),
      ...decisions.flatMap((d) => d.findings),
      ...teamPlans.flatMap((t) => t.findings),
    ],
    followUps,
  };
}
