import { createHash } from 'node:crypto';
import type { RemoveTeamMember } from '../../domain/actions.js';
import type { IdentityRecord } from '../../domain/types.js';
import { userKey } from '../../domain/types.js';
import { ConcurrencyError } from '../../state/index.js';
import type { Finding } from '../../sync/model.js';
import type { SyncPolicy } from '../../sync/policy.js';
import { enqueueFollowUp, type FlowContext } from './flowContext.js';
import type { WorkerApp } from './workerApp.js';

/** `settings` row: the hash of the SYNC_MAPPING last seen, its teams, and teams that left it. */
export const MAPPING_STATE = 'mapping';

export interface TeamRef {
  org: string;
  team: string;
}

interface MappingState {
  hash: string;
  teams: TeamRef[];
  formerlyManaged: TeamRef[];
}

/** A stable hash of what SYNC_MAPPING decides: scope, site-admin group, teams and pinned names. */
export function mappingHash(policy: SyncPolicy): string {
  const teams = policy.teams
    .map((t) => ({
      org: t.org.toLowerCase(),
      team: t.team.toLowerCase(),
      p: t.permission,
      g: [...t.groups].sort(),
    }))
    .sort((a, b) => `${a.org}/${a.team}`.localeCompare(`${b.org}/${b.team}`));
  const overrides = Object.entries(policy.usernameOverrides).sort(([a], [b]) => a.localeCompare(b));
  const canonical = JSON.stringify([policy.scope, policy.siteAdminGroup ?? null, teams, overrides]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

const refOf = (t: TeamRef): string => `${t.org}/${t.team}`.toLowerCase();

/**
 * DESIGN §5: a change of the mapping enqueues a reconcile. Called by the catch-up timer: the hash
 * of the running mapping is compared with the one kept in state; on a change a reconcile is queued,
 * the new hash kept (with the row's ETag) and teams that left the mapping are remembered as
 * formerly managed until an operator drains them. The first sight records only.
 */
export async function checkMapping(ctx: FlowContext): Promise<boolean> {
  const { app } = ctx;
  const stored = await app.stores.settings.get(MAPPING_STATE);
  const previous = stateOf(stored?.value);
  const hash = mappingHash(app.policy);
  if (previous?.hash === hash) return false;
  const teams = app.policy.teams.map((t) => ({ org: t.org, team: t.team }));
  const current = new Set(teams.map(refOf));
  const formerly = new Map<string, TeamRef>();
  for (const t of [...(previous?.formerlyManaged ?? []), ...(previous?.teams ?? [])]) {
    if (!current.has(refOf(t))) formerly.set(refOf(t), t);
  }
  const next: MappingState = { hash, teams, formerlyManaged: [...formerly.values()] };
  // Enqueue before recording: a crash in between repeats the reconcile rather than losing it.
  if (previous) await enqueueFollowUp(ctx, { kind: 'reconcile', reason: 'SYNC_MAPPING changed' });
  try {
    await app.stores.settings.set(MAPPING_STATE, next, stored?.etag);
  } catch (error) {
    // Another worker recorded it first (and enqueued too: two reconciles run one after the other).
    if (!(error instanceof ConcurrencyError)) throw error;
  }
  return previous !== undefined;
}

/** Teams that left the mapping and are not drained yet. */
export async function formerlyManagedTeams(app: WorkerApp): Promise<TeamRef[]> {
  const state = stateOf((await app.stores.settings.get(MAPPING_STATE))?.value);
  const current = new Set(app.policy.teams.map(refOf));
  return (state?.formerlyManaged ?? []).filter((t) => !current.has(refOf(t)));
}

/**
 * Formerly managed teams as findings with the managed members still in them, and, for those the
 * operator asked to drain, one `removeTeamMember` per managed member (through `applyPlan`: fenced
 * and drawn from the deprovision budget like any removal). Gogs cannot delete teams.
 */
export async function formerTeamsPlan(
  app: WorkerApp,
  identities: readonly IdentityRecord[],
  drain: readonly TeamRef[],
  snapshotAt: number,
): Promise<{ findings: Finding[]; actions: RemoveTeamMember[] }> {
  const byName = new Map(identities.filter((i) => !i.pending).map((i) => [i.username.toLowerCase(), i]));
  const draining = new Set(drain.map(refOf));
  const findings: Finding[] = [];
  const actions: RemoveTeamMember[] = [];
  for (const ref of await formerlyManagedTeams(app)) {
    const team = (await app.gogs.listTeams(ref.org))?.find(
      (t) => t.name.toLowerCase() === ref.team.toLowerCase(),
    );
    const members = team ? await app.gogs.listTeamMembers(team.id) : [];
    const managed = members.flatMap((name) => byName.get(name.toLowerCase()) ?? []);
    findings.push({
      kind: 'formerlyManagedTeam',
      org: ref.org,
      team: ref.team,
      managedMembers: managed.length,
    });
    if (!team || !draining.has(refOf(ref))) continue;
    for (const identity of managed) {
      actions.push({
        kind: 'removeTeamMember',
        objectId: identity.objectId,
        username: identity.username,
        org: ref.org,
        team: team.name,
        snapshotAt,
        fence: [userKey(identity.objectId)],
        reason: 'drained on request: the team left SYNC_MAPPING',
      });
    }
  }
  return { findings, actions };
}

/** Forgets drained teams that hold no managed member any more. */
export async function forgetDrained(app: WorkerApp, drained: readonly TeamRef[]): Promise<void> {
  if (drained.length === 0) return;
  const stored = await app.stores.settings.get(MAPPING_STATE);
  const state = stateOf(stored?.value);
  if (!state) return;
  const gone = new Set(drained.map(refOf));
  const formerlyManaged = state.formerlyManaged.filter((t) => !gone.has(refOf(t)));
  await app.stores.settings.set(MAPPING_STATE, { ...state, formerlyManaged }, stored?.etag).catch((error) => {
    if (!(error instanceof ConcurrencyError)) throw error;
  });
}

function stateOf(value: unknown): MappingState | undefined {
  if (typeof value !== 'object' || value === null || !('hash' in value)) return undefined;
  const row = value as Partial<MappingState>;
  if (typeof row.hash !== 'string') return undefined;
  return { hash: row.hash, teams: row.teams ?? [], formerlyManaged: row.formerlyManaged ?? [] };
}
