import type { Action, Outcome } from '../../domain/actions.js';
import type { ObjectKey } from '../../domain/types.js';
import { applyPlan } from '../../sync/applyPlan.js';
import type { SyncState } from '../../sync/ports.js';
import type { App } from '../composition.js';
import type { HeldDeps } from './heldDecisions.js';

/**
 * The App side of `decideHeld`: applying through the one write path with the budget waived (the
 * approval is the operator's override of it), re-planning through the queue, auditing.
 */
export function heldDeps(app: App, call: { now: number; by: string }): HeldDeps {
  const sync = app.stores.sync;
  const requeue = async (key: ObjectKey) => {
    const colon = key.indexOf(':');
    const kind = key.slice(0, colon) === 'group' ? 'group' : 'user';
    await app.stores.queue.enqueue({
      kind,
      objectId: key.slice(colon + 1),
      source: 'operator',
      receivedAt: app.clock.now(),
      causeId: `held-approval-${call.now}`,
    });
  };
  const state: SyncState = {
    listIdentities: () => sync.listIdentities(),
    getIdentity: (id) => sync.getIdentity(id),
    putIdentity: (record) => sync.putIdentity(record),
    lastEventAt: (key) => sync.lastEventAt(key),
    markEvent: (key, at) => sync.markEvent(key, at),
    withLease: (key, work) => sync.withLease(key, work),
    drawBudget: async () => true,
    hold: (held) => sync.hold(held),
  };
  const apply = async (action: Action): Promise<Outcome> => {
    const plan = { snapshotAt: action.snapshotAt, actions: [action], findings: [], followUps: [] };
    const deps = {
      git: app.gogs,
      state,
      directory: app.directory,
      clock: app.clock,
      policy: app.policy,
      requeue,
    };
    try {
      const options = { concurrency: 1, cause: `operator:${call.by}`, managedUsers: 0 };
      const [outcome] = await applyPlan(plan, deps, options);
      return outcome ?? { action, status: 'failed', error: { message: 'no outcome', retryable: false } };
    } catch (error) {
      // A busy lease (another worker on this user) throws before the fence: the action is held again.
      const retryable = error instanceof Error && 'retryable' in error && error.retryable === true;
      const message = error instanceof Error ? error.message : String(error);
      return { action, status: 'failed', error: { message, retryable } };
    }
  };
  return {
    get: (id) => sync.heldActions.get(id),
    list: (filter) => sync.listHeld(filter),
    approve: (id, by, at, note) => sync.approveHeld(id, by, at, note),
    reject: (id, by, at, note) => sync.rejectHeld(id, by, at, note),
    hold: (held) => sync.hold(held),
    lastEventAt: (key) => sync.lastEventAt(key),
    apply,
    requeue,
    audit: (records) => app.stores.audit.write(records),
    blocked: async () => {
      if (app.config.policy.dryRun) return 'DRY_RUN is set, so nothing is written to Gogs';
      const pause = await app.stores.settings.pauseState();
      return pause.paused ? 'the sync is paused; resume it first' : undefined;
    },
    now: call.now,
    by: call.by,
  };
}
