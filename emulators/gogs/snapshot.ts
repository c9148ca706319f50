import type { Account } from './model.js';
import type { GogsStore } from './store.js';

/** Everything the API hides, for `GET /_emulator/state`. Token values are never included. */
export function snapshot(store: GogsStore): Record<string, unknown> {
  const nameOf = (id: number): string => store.accounts.get(id)?.name ?? `#${id}`;
  const repoName = (id: number): string => {
    const repo = store.repos.get(id);
    return repo ? `${nameOf(repo.ownerId)}/${repo.name}` : `#${id}`;
  };
  const accounts = [...store.accounts.values()];
  const users = accounts.filter((a) => a.type === 'user').map((u) => userState(store, u, nameOf, repoName));
  const orgs = accounts
    .filter((a) => a.type === 'org')
    .map((org) => ({
      id: org.id,
      username: org.name,
      fullName: org.fullName,
      description: org.description,
      website: org.website,
      location: org.location,
      members: store.orgUsers
        .filter((row) => row.orgId === org.id)
        .map((row) => ({ username: nameOf(row.uid), isOwner: row.isOwner, isPublic: row.isPublic })),
      teams: store.teamsOf(org.id).map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        permission: t.authorize,
        members: t.memberIds.map(nameOf),
        repos: t.repoIds.map(repoName),
      })),
      repos: store.reposOf(org.id).map((r) => ({ id: r.id, name: r.name, private: r.isPrivate })),
    }));
  const repos = [...store.repos.values()].map((r) => ({
    id: r.id,
    owner: nameOf(r.ownerId),
    name: r.name,
    fullName: repoName(r.id),
    private: r.isPrivate,
    collaborators: store.collaborations
      .filter((c) => c.repoId === r.id)
      .map((c) => ({ username: nameOf(c.userId), mode: c.mode })),
  }));
  return { users, orgs, repos };
}

function userState(
  store: GogsStore,
  u: Account,
  nameOf: (id: number) => string,
  repoName: (id: number) => string,
): Record<string, unknown> {
  return {
    id: u.id,
    username: u.name,
    fullName: u.fullName,
    email: u.email,
    active: u.isActive,
    prohibitLogin: u.prohibitLogin,
    isAdmin: u.isAdmin,
    sourceId: u.sourceId,
    loginName: u.loginName,
    website: u.website,
    location: u.location,
    allowGitHook: u.allowGitHook,
    allowImportLocal: u.allowImportLocal,
    maxRepoCreation: u.maxRepoCreation,
    passwordVersion: u.passwordVersion,
    passwordChangedAt: u.passwordChangedAt,
    emptyPassword: u.passwordEmpty,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
    keys: store
      .keysOf(u.id)
      .map((k) => ({ id: k.id, title: k.title, content: k.content, createdAt: k.createdAt })),
    tokens: store
      .tokensOf(u.id)
      .map((t) => ({ id: t.id, name: t.name, createdAt: t.createdAt, lastUsedAt: t.updatedAt })),
    orgMemberships: store.orgUsers
      .filter((row) => row.uid === u.id)
      .map((row) => ({ org: nameOf(row.orgId), isOwner: row.isOwner, isPublic: row.isPublic })),
    teams: [...store.teams.values()]
      .filter((t) => t.memberIds.includes(u.id))
      .map((t) => ({ org: nameOf(t.orgId), team: t.name, teamId: t.id, permission: t.authorize })),
    collaborations: store.collaborations
      .filter((c) => c.userId === u.id)
      .map((c) => ({ repo: repoName(c.repoId), mode: c.mode })),
    repos: store.reposOf(u.id).map((r) => ({ id: r.id, name: r.name, private: r.isPrivate })),
  };
}
