import type { Action, RemoveTeamMember } from '../domain/actions.js';
import type { ManagedTeam, ObjectId } from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import type { Finding } from './model.js';
import type { PlanContext } from './planContext.js';
import { isOwnersTeam } from './policy.js';

export interface TeamComparison {
  actions: Action[];
  findings: Finding[];
  /** Managed users taken out of the team: their scope may have changed. */
  removed: ObjectId[];
}

export interface Member {
  objectId: ObjectId;
  username: string;
}

export interface TeamScope {
  /** Desired members by lower-cased username: active managed accounts only. */
  desired: ReadonlyMap<string, Member>;
  /** Users offboarded in the same plan: their suspension removes them from every managed team. */
  offboarding: ReadonlySet<ObjectId>;
  /** Compare only this user's membership (single-user plans). */
  onlyUser?: ObjectId;
}

function byName([a]: [string, unknown], [b]: [string, unknown]): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The one comparison of a managed team's members against the desired members. Unmanaged and
 * protected members are never touched; removals resting on a suspect group read are held; the
 * Owners team keeps its last member (Gogs answers 500 otherwise, spec/gogs-api.md §4.3).
 */
export function compareTeam(ctx: PlanContext, team: ManagedTeam, scope: TeamScope): TeamComparison {
  const out: TeamComparison = { actions: [], findings: [], removed: [] };
  const key = teamKey(team.org, team.team);
  const actual = ctx.actual.teams.get(key);
  const base = { org: team.org, team: team.team, snapshotAt: ctx.snapshotAt };
  const wanted = [...scope.desired]
    .filter(([, m]) => !scope.onlyUser || m.objectId === scope.onlyUser)
    .sort(byName);

  if (!actual) {
    if (wanted.length === 0 && scope.onlyUser) return out;
    if (!ctx.actual.orgs.has(team.org.toLowerCase())) {
      out.actions.push({
        kind: 'createOrg',
        org: team.org,
        snapshotAt: ctx.snapshotAt,
        fence: [],
        reason: 'a mapped org is missing',
      });
    }
    if (team.permission !== 'owner') {
      out.actions.push({
        ...base,
        kind: 'createTeam',
        fence: [],
        permission: team.permission,
        reason: 'a mapped team is missing',
      });
    }
  } else if (actual.team.permission !== team.permission) {
    // Gogs cannot edit teams: report the drift, never recreate (DESIGN §5).
    out.findings.push({
      kind: 'teamPermissionDrift',
      org: team.org,
      team: team.team,
      expected: team.permission,
      actual: actual.team.permission,
    });
  }
  const members = actual ? actual.members : new Set<string>();
  if (!members) return out;

  for (const [lower, member] of wanted) {
    if (!members.has(lower)) {
      out.actions.push({
        ...base,
        kind: 'addTeamMember',
        ...member,
        fence: ctx.fence(member.objectId, team.groups),
        reason: 'member of a mapped group',
      });
    }
  }
  const suspect = team.groups.some((group) => ctx.suspects.has(group));
  const removals: RemoveTeamMember[] = [];
  for (const username of [...members].sort()) {
    const identity = ctx.managedByUsername.get(username);
    if (!identity || ctx.isUntouchable(username) || scope.desired.has(username)) continue;
    if (scope.onlyUser && identity.objectId !== scope.onlyUser) continue;
    if (scope.offboarding.has(identity.objectId)) continue;
    removals.push({
      ...base,
      kind: 'removeTeamMember',
      objectId: identity.objectId,
      username: identity.username,
      fence: ctx.fence(identity.objectId, team.groups),
      reason: 'no longer in a mapped group',
      ...(suspect ? { hold: 'suspectRead' as const } : {}),
    });
  }
  const remaining =
    members.size - removals.length + out.actions.filter((a) => a.kind === 'addTeamMember').length;
  const last = removals.at(-1);
  if (isOwnersTeam(team.team) && remaining <= 0 && last) {
    removals.pop();
    out.findings.push({ kind: 'lastOwnerKept', org: team.org, username: last.username });
  }
  out.actions.push(...removals);
  // A held removal rests on a suspect read: its users' scope is no better known than the team's.
  out.removed.push(...removals.filter((removal) => !removal.hold).map((removal) => removal.objectId));
  return out;
}
