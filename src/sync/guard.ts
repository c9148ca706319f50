import type { ObjectId } from '../domain/types.js';
import type { DesiredState } from './model.js';
import type { SyncPolicy } from './policy.js';

/**
 * DESIGN §3.3: a group read is suspect when it answered 404, failed on any page, or returned fewer
 * than half its last known members and at least MAX_DEPROVISION fewer. Removals that rest on a
 * suspect read are held, never applied.
 */
export function suspectGroups(desired: DesiredState, policy: SyncPolicy): Map<ObjectId, string> {
  const suspects = new Map<ObjectId, string>();
  for (const [groupId, read] of desired.groupReads) {
    if (read.status === 'notFound') {
      suspects.set(groupId, 'the group answered 404: a mapping points at a missing group');
      continue;
    }
    if (read.status === 'failed') {
      suspects.set(groupId, `reading the group failed: ${read.message}`);
      continue;
    }
    const known = desired.lastKnownGroupSizes.get(groupId);
    if (known === undefined) continue;
    const now = read.members.length;
    if (now < known / 2 && known - now >= policy.maxDeprovision) {
      suspects.set(groupId, `the group shrank from ${known} to ${now} members in one read`);
    }
  }
  return suspects;
}

/** The budget's size: max(MAX_DEPROVISION, MAX_DEPROVISION_PERCENT × managed users). */
export function budgetLimit(policy: SyncPolicy, managedUsers: number): number {
  return Math.max(policy.maxDeprovision, Math.floor((policy.maxDeprovisionPercent / 100) * managedUsers));
}
