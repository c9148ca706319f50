import type { Outcome } from '../../domain/actions.js';
import type { ManagedTeam, ObjectId } from '../../domain/types.js';
import { groupKey } from '../../domain/types.js';
import type { ChangeMessage } from '../../state/index.js';
import type { Plan } from '../../sync/model.js';
import { planTeams } from '../../sync/planSync.js';
import { scopeGroups } from '../../sync/policy.js';
import type { GroupMembersRead, GroupRead } from '../../sync/ports.js';
import { desiredFromReads, readActualForTeams } from '../../sync/readState.js';
import { GroupReadFailedError } from './errors.js';
import {
  applyDeps,
  causeText,
  enqueueFollowUp,
  type FlowContext,
  type FlowResult,
  isFirstDelivery,
} from './flowContext.js';
import { GroupsBeneath } from './groupsBeneath.js';
import { applyAndRecord, countStatuses, throwIfRetryable } from './recordOutcomes.js';
import { syncUser } from './syncUser.js';

export type GroupMessage = Extract<ChangeMessage, { kind: 'group' }>;

/**
 * Follow-up users planned inline; the rest go through the queue as re-checks, so one group
 * change stays well inside the function timeout.
 */
export const INLINE_FOLLOW_UPS = 25;

/**
 * A group changed (DESIGN §3.2, as `test/fakes/syncHarness.ts` handles it): find the scope groups
 * it feeds, mark them before reading, reconcile the managed teams they fill, then plan each user
 * whose scope may have changed — those taken out of a team and, for the site-admin group, its
 * members and everyone the bridge made admin.
 */
export async function groupFlow(ctx: FlowContext<GroupMessage>): Promise<FlowResult> {
  const { app, message } = ctx;
  const groupId = message.objectId;
  const scope = scopeGroups(app.policy);
  const beneath = new GroupsBeneath(app);
  const nested = await beneath.load(scope);
  const affected = [...scope].filter((g) => g === groupId || nested.get(g)?.has(groupId)).sort();
  if (affected.length === 0) return { status: 'skipped', reason: 'not a scope group nor beneath one' };
  // Changes of one group are coalesced (DESIGN §3.2): under its lease, a duplicate that waited for
  // another worker finds the group handled after it arrived and plans nothing twice.
  return withGroupLeases(ctx, affected, () => changedGroups(ctx, affected, beneath));
}

/** Takes the leases of the given groups in sorted order (so two flows never wait on each other). */
async function withGroupLeases<T>(
  ctx: FlowContext,
  groups: readonly ObjectId[],
  work: () => Promise<T>,
): Promise<T> {
  const [first, ...rest] = groups;
  if (first === undefined) return work();
  return ctx.app.stores.sync.withLease(groupKey(first), () => withGroupLeases(ctx, rest, work));
}

async function changedGroups(
  ctx: FlowContext<GroupMessage>,
  affected: ObjectId[],
  beneath: GroupsBeneath,
): Promise<FlowResult> {
  const { app, message } = ctx;
  const groupId = message.objectId;
  if ((message.source === 'notification' || message.source === 'catchUp') && isFirstDelivery(ctx)) {
    const marks = await Promise.all(affected.map((g) => app.stores.sync.lastEventAt(groupKey(g))));
    if (marks.every((at) => at !== undefined && at > message.receivedAt)) {
      return { status: 'skipped', reason: 'its groups were handled after this change arrived' };
    }
  }
  const teams = app.policy.teams.filter((team) => team.groups.some((g) => affected.includes(g)));
  const groups = [...new Set([...affected, ...teams.flatMap((t) => t.groups)])].sort();
  const snapshotAt = app.clock.now();
  for (const g of groups) await app.stores.sync.markEvent(groupKey(g), snapshotAt);
  // The nesting below these groups may be what changed.
  await beneath.refresh(affected);

  const outcomes: Outcome[] = [];
  const followUps = new Set<ObjectId>();
  const reads = await readGroups(ctx, groups);
  if (teams.length > 0) {
    const { plan, managedUsers } = await planTeamChange(ctx, teams, reads, snapshotAt);
    const { outcomes: applied } = await applyAndRecord(
      app,
      plan,
      applyDeps(ctx),
      {
        concurrency: app.config.gogs.concurrency,
        cause: causeText(ctx.cause),
        managedUsers,
      },
      {
        cause: ctx.cause,
        receivedAt: message.receivedAt,
        ...(message.eventTime === undefined ? {} : { eventTime: message.eventTime }),
        ...(app.config.policy.dryRun ? { dryRun: true } : {}),
      },
    );
    outcomes.push(...applied);
    for (const id of plan.followUps) followUps.add(id);
    await rememberSizes(ctx, reads, plan);
  }
  const admins = app.policy.siteAdminGroup;
  if (admins && affected.includes(admins)) {
    const read = reads.get(admins);
    if (read?.status === 'ok') for (const id of read.members) followUps.add(id);
    for (const identity of await app.stores.sync.listIdentities()) {
      if (identity.written.admin) followUps.add(identity.objectId);
    }
  }
  outcomes.push(...(await handleFollowUps(ctx, [...followUps].sort())));
  throwIfRetryable(outcomes);
  if (message.source !== 'recheck') {
    await enqueueFollowUp(
      ctx,
      { kind: 'group', objectId: groupId, source: 'recheck' },
      app.config.timing.recheckDelayMs,
    );
  }
  return { status: 'done', counts: countStatuses(outcomes) };
}

async function readGroups(
  ctx: FlowContext,
  groups: readonly ObjectId[],
): Promise<Map<ObjectId, GroupMembersRead>> {
  const reads = new Map<ObjectId, GroupMembersRead>();
  for (const g of groups) {
    const read = await ctx.app.directory.readGroupMembers(g);
    // An event can wait for Graph; planning removals on a half-read group can't be undone.
    if (read.status === 'failed') throw new GroupReadFailedError(g, read.message);
    reads.set(g, read);
  }
  return reads;
}

async function planTeamChange(
  ctx: FlowContext,
  teams: ManagedTeam[],
  reads: ReadonlyMap<ObjectId, GroupMembersRead>,
  snapshotAt: number,
): Promise<{ plan: Plan; managedUsers: number }> {
  const { app } = ctx;
  // The member listings carry the profiles: no read per member.
  const { users, groupReads } = desiredFromReads(reads);
  // Identities after Gogs: the bridge writes a row after the Gogs write it records (readActualState).
  const actual = await readActualForTeams(app.gogs, teams);
  const identities = await app.stores.sync.listIdentities();
  const sizes = await app.stores.groupSizes.getMany([...reads.keys()]);
  const desired = {
    snapshotAt,
    users,
    groupReads,
    lastKnownGroupSizes: new Map([...sizes].map(([id, size]) => [id, size.members])),
  };
  const byId = new Map(identities.map((identity) => [identity.objectId, identity]));
  return {
    plan: planTeams({ desired, actual, identities: byId }, app.policy, teams),
    // For the size of the deprovision budget, from the same read.
    managedUsers: identities.filter((identity) => identity.status === 'active').length,
  };
}

/** The suspect-read rule needs the last good size; a read judged suspect must not become it. */
async function rememberSizes(ctx: FlowContext, reads: ReadonlyMap<ObjectId, GroupRead>, plan: Plan) {
  const suspect = new Set(plan.findings.flatMap((f) => (f.kind === 'suspectGroup' ? [f.groupId] : [])));
  for (const [groupId, read] of reads) {
    if (read.status !== 'ok' || suspect.has(groupId)) continue;
    await ctx.app.stores.groupSizes.put({ groupId, members: read.members.length, at: ctx.app.clock.now() });
  }
}

async function handleFollowUps(ctx: FlowContext<GroupMessage>, ids: readonly ObjectId[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const objectId of ids.slice(0, INLINE_FOLLOW_UPS)) {
    const result = await syncUser(ctx, objectId, {
      confirmedHardDelete: false,
      receivedAt: ctx.message.receivedAt,
    });
    outcomes.push(...result.outcomes);
  }
  for (const objectId of ids.slice(INLINE_FOLLOW_UPS)) {
    await enqueueFollowUp(ctx, { kind: 'user', objectId, source: 'recheck' });
  }
  return outcomes;
}
