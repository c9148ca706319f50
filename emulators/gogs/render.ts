import { md5Hex } from './crypto.js';
import type { Account, PublicKey, Repository, Team } from './model.js';
import { sanitizeHtml } from './sanitize.js';

export interface UserJsonOptions {
  /** False for anonymous callers: the key stays, the value is blanked (spec §2.1). */
  showEmail: boolean;
  /** v0.14.3 returns the raw full_name in the create-user echo and the team member list. */
  rawFullName?: boolean;
  /** v0.14.3 leaves `login` empty in search results. */
  emptyLogin?: boolean;
}

export function avatarUrl(baseUrl: string, account: Account): string {
  if (account.type === 'org') return `${baseUrl}avatars/${account.id}`;
  return `https://secure.gravatar.com/avatar/${md5Hex(account.email.toLowerCase())}?d=identicon`;
}

export function userJson(baseUrl: string, account: Account, opts: UserJsonOptions): Record<string, unknown> {
  return {
    id: account.id,
    username: account.name,
    login: opts.emptyLogin ? '' : account.name,
    full_name: opts.rawFullName ? account.fullName : sanitizeHtml(account.fullName),
    email: opts.showEmail ? account.email : '',
    avatar_url: avatarUrl(baseUrl, account),
  };
}

export function orgJson(baseUrl: string, org: Account, rawFullName = false): Record<string, unknown> {
  return {
    id: org.id,
    username: org.name,
    full_name: rawFullName ? org.fullName : sanitizeHtml(org.fullName),
    avatar_url: avatarUrl(baseUrl, org),
    description: org.description,
    website: org.website,
    location: org.location,
  };
}

export function teamJson(team: Team): Record<string, unknown> {
  return { id: team.id, name: team.name, description: team.description, permission: team.authorize };
}

export function keyJson(baseUrl: string, key: PublicKey): Record<string, unknown> {
  return {
    id: key.id,
    key: key.content,
    url: `${baseUrl}api/v1/user/keys/${key.id}`,
    title: key.title,
    created_at: key.createdAt,
  };
}

export interface Permission {
  admin: boolean;
  push: boolean;
  pull: boolean;
}

export function repoJson(
  baseUrl: string,
  owner: Account,
  repo: Repository,
  perm: Permission,
): Record<string, unknown> {
  const host = new URL(baseUrl).hostname;
  return {
    id: repo.id,
    owner: userJson(baseUrl, owner, { showEmail: true }),
    name: repo.name,
    full_name: `${owner.name}/${repo.name}`,
    description: repo.description,
    private: repo.isPrivate,
    fork: false,
    parent: null,
    empty: true,
    mirror: false,
    size: 0,
    html_url: `${baseUrl}${owner.name}/${repo.name}`,
    ssh_url: `git@${host}:${owner.name}/${repo.name}.git`,
    clone_url: `${baseUrl}${owner.name}/${repo.name}.git`,
    website: '',
    stars_count: 0,
    forks_count: 0,
    watchers_count: 0,
    open_issues_count: 0,
    default_branch: 'master',
    created_at: repo.createdAt,
    updated_at: repo.updatedAt,
    permissions: perm,
  };
}

function page(title: string, text: string): string {
  return `<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>${title} - Gogs</title>
</head>
<body>
<div class="ui container">
<h2>${title}</h2>
<p>${text}</p>
</div>
</body>
</html>
`;
}

/** The web layer's `status/404` page (spec §9). */
export const NOT_FOUND_PAGE = page('Page Not Found', 'The page you were looking for does not exist.');

/** `user/auth/prohibit_login` (spec §1.2). */
export const PROHIBIT_LOGIN_PAGE = page(
  'Login Prohibited',
  'Your account is prohibited from logging in. Please contact the site admin.',
);
