import type { AccessMode, Repository } from './model.js';
import type { GogsStore } from './store.js';

/** Best access mode of `uid` on `repo` (ownership, Owners team, teams, collaborations). */
export function accessMode(
  store: GogsStore,
  uid: number | undefined,
  repo: Repository,
): AccessMode | undefined {
  const modes: AccessMode[] = [];
  if (uid !== undefined) {
    if (repo.ownerId === uid) return 'owner';
    if (store.isOrgOwner(repo.ownerId, uid)) return 'owner';
    for (const team of store.teamsOf(repo.ownerId)) {
      if (team.memberIds.includes(uid) && team.repoIds.includes(repo.id)) modes.push(team.authorize);
    }
    for (const c of store.collaborations) if (c.repoId === repo.id && c.userId === uid) modes.push(c.mode);
  }
  if (!repo.isPrivate) modes.push('read');
  const order: AccessMode[] = ['owner', 'admin', 'write', 'read'];
  return order.find((m) => modes.includes(m));
}
