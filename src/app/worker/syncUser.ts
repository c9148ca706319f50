import type { Outcome } from '../../domain/actions.js';
import { isDeprovision } from '../../domain/actions.js';
import type { IdentityRecord } from '../../domain/types.js';
import { userKey } from '../../domain/types.js';
import type { DesiredState, Finding } from '../../sync/model.js';
import { planUser, type TeamCheck, teamsForUserPlan } from '../../sync/planSync.js';
import { readActualForUser } from '../../sync/readState.js';
import { applyDeps, causeText, type FlowContext, isFirstDelivery } from './flowContext.js';
import { applyAndRecord } from './recordOutcomes.js';

export interface SyncUserOptions {
  /** A `deleted` notification or a delta `@removed.reason == "deleted"` said so (DESIGN §3.2). */
  confirmedHardDelete: boolean;
  receivedAt?: number;
  eventTime?: number;
}

/**
 * One user, as `test/fakes/syncHarness.ts` shows: under the user's lease, mark the event before
 * reading (so any older plan touching this user is fenced), read Graph and Gogs, plan, apply with
 * `leased`, then audit every outcome.
 */
export async function syncUser(
  ctx: FlowContext,
  objectId: string,
  options: SyncUserOptions,
): Promise<{ outcomes: Outcome[]; findings: Finding[] }> {
  const { app } = ctx;
  const key = userKey(objectId);
  return app.stores.sync.withLease(key, async () => {
    const snapshotAt = app.clock.now();
    await app.stores.sync.markEvent(key, snapshotAt);
    const read = await app.directory.readUser(objectId, { confirmedHardDelete: options.confirmedHardDelete });
    const known = await app.stores.sync.getIdentity(objectId);
    // A name still to be chosen must be checked against every identity, tombstones included.
    const needsName = known === undefined || known.pending === 'refused';
    const identities = needsName ? await app.stores.sync.listIdentities() : [known];
    const byId = new Map(identities.map((identity) => [identity.objectId, identity]));
    const desired: DesiredState = {
      snapshotAt,
      users: new Map([
        [objectId, { presence: read.presence, user: read.user, groups: new Set(read.groups) }],
      ]),
      groupReads: new Map(),
      lastKnownGroupSizes: new Map(),
    };
    const { actual, teams } = await readActualForUser(app.gogs, known, (account) =>
      teamsForUserPlan(app.policy, desired.users.get(objectId), {
        identity: known,
        account,
        check: teamCheck(ctx),
      }),
    );
    const plan = planUser({ desired, actual, identities: byId }, app.policy, objectId, teams);
    const managed = plan.actions.some(isDeprovision) ? await countManaged(app, identities, needsName) : 0;
    const { outcomes } = await applyAndRecord(
      app,
      plan,
      applyDeps(ctx),
      {
        concurrency: app.config.gogs.concurrency,
        cause: causeText(ctx.cause),
        managedUsers: managed,
        leased: true,
      },
      {
        cause: ctx.cause,
        ...(options.receivedAt === undefined ? {} : { receivedAt: options.receivedAt }),
        ...(options.eventTime === undefined ? {} : { eventTime: options.eventTime }),
        ...(app.config.policy.dryRun ? { dryRun: true } : {}),
      },
    );
    return { outcomes, findings: plan.findings };
  });
}

/** Active identities, for the size of the deprovision budget; read only when a plan draws on it. */
async function countManaged(app: FlowContext['app'], read: IdentityRecord[], complete: boolean) {
  const identities = complete ? read : await app.stores.sync.listIdentities();
  return identities.filter((identity) => identity.status === 'active').length;
}

function teamCheck(ctx: FlowContext): TeamCheck {
  const source = 'source' in ctx.message ? ctx.message.source : undefined;
  if (source === 'operator') return 'all';
  return (source === 'notification' || source === 'catchUp') && isFirstDelivery(ctx) ? 'event' : 'theirs';
}
