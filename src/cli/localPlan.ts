import type { App } from '../app/composition.js';
import { readReconcilePlan } from '../app/worker/reconcileFlow.js';
import { actionId } from '../domain/actions.js';
import type { Finding, Plan } from '../sync/model.js';

/** One planned action as `plan` shows it, in both modes (the dry run's summary has the same fields). */
export interface PlanLine {
  id: string;
  kind: string;
  username?: string;
  reason: string;
}

export interface PlanView {
  actions: PlanLine[];
  /** Actions left out of a remote dry run's listing (the run row keeps 150). */
  more: number;
  findings: Finding[];
}

/** The reconcile's own reads and plan (src/app/worker/reconcileFlow.ts): no second code path. */
export async function readPlan(app: App): Promise<{ plan: Plan; managedUsers: number }> {
  const { planned, identities } = await readReconcilePlan(app);
  return {
    plan: planned,
    managedUsers: identities.filter((identity) => identity.status === 'active').length,
  };
}

export function planView(plan: Plan): PlanView {
  return {
    actions: plan.actions.map((action) => ({
      id: actionId(action),
      kind: action.kind,
      ...('username' in action ? { username: action.username } : {}),
      reason: action.reason,
    })),
    more: 0,
    findings: sortFindings(plan.findings),
  };
}

const FIRST: ReadonlySet<string> = new Set(['adoptionCandidate', 'usernameCollision']);

/** Adoption candidates and username collisions first: they are what to read before any write. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => Number(FIRST.has(b.kind)) - Number(FIRST.has(a.kind)));
}

/** `org/team` of a team action, from its id (`addTeamMember:acme/eng:<oid>`, `createTeam:acme/eng`). */
export function targetOf(line: PlanLine): string {
  const rest = line.id.slice(line.id.indexOf(':') + 1);
  if (line.kind === 'createOrg' || line.kind === 'createTeam') return rest;
  if (line.kind === 'addTeamMember' || line.kind === 'removeTeamMember')
    return rest.slice(0, rest.lastIndexOf(':'));
  return '';
}
