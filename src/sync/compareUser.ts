import type { HoldReason, UserAction, UserProfile } from '../domain/actions.js';
import { emailKey, gogsEmailFor } from '../domain/emails.js';
import type { DirectoryUser, IdentityRecord, ObjectId } from '../domain/types.js';
import { teamKey } from '../domain/types.js';
import type { DesiredUser, Finding } from './model.js';
import type { PlanContext } from './planContext.js';
import type { SyncPolicy } from './policy.js';

/** What one directory user should have in Gogs. */
export interface DesiredAccess {
  /** The scope groups the user was read in: a grant rests on them. */
  groups: ObjectId[];
  active: boolean;
  admin: boolean;
  /** `teamKey`s of the managed teams they belong in. */
  teams: Set<string>;
}

export interface UserDecision {
  actions: UserAction[];
  findings: Finding[];
  /** The managed username, once known or allocated in this plan. */
  username?: string;
  /** True when the account will be active after this plan: only active accounts are team members. */
  active: boolean;
  teams: Set<string>;
  /** Suspended or deleted in this plan: the suspension itself removes managed team memberships. */
  offboarding: boolean;
}

// Gogs' full_name is MaxSize(100) in code points (spec/gogs-api.md §2.4).
const MAX_FULL_NAME = 100;

export function desiredAccess(
  desired: DesiredUser | undefined,
  policy: SyncPolicy,
  scopeGroups: ReadonlySet<ObjectId>,
): DesiredAccess {
  const user = desired?.user;
  const inGroups = [...(desired?.groups ?? [])].filter((group) => scopeGroups.has(group)).sort();
  const inScopeGroup = inGroups.length > 0;
  const active =
    desired?.presence === 'present' &&
    user !== undefined &&
    user.accountEnabled &&
    (policy.scope === 'allUsers' ? user.userType === 'Member' || policy.includeGuests : inScopeGroup);
  if (!active) return { groups: inGroups, active: false, admin: false, teams: new Set() };
  const groups = new Set(inGroups);
  return {
    groups: inGroups,
    active,
    admin: policy.siteAdminGroup !== undefined && groups.has(policy.siteAdminGroup),
    teams: new Set(
      policy.teams
        .filter((team) => team.groups.some((g) => groups.has(g)))
        .map((t) => teamKey(t.org, t.team)),
    ),
  };
}

function fullNameOf(user: DirectoryUser): string {
  return [...user.displayName.trim()].slice(0, MAX_FULL_NAME).join('');
}

function loginNameFor(ctx: PlanContext, username: string): string {
  // Local accounts (source 0) carry no external login name; sourced ones carry the Gogs username.
  return ctx.policy.loginSourceId === 0 ? '' : username;
}

/**
 * The one comparison of a directory user against Gogs and the identities record. Every planner
 * (full, single user, single team) calls it. `grantOnly` is for team plans, which see only one
 * group of the user's and so may grant access but never decide to take it away.
 */
export function compareUser(
  ctx: PlanContext,
  objectId: ObjectId,
  desired: DesiredUser | undefined,
  grantOnly = false,
): UserDecision {
  const identity = ctx.identities.get(objectId);
  const none: UserDecision = {
    actions: [],
    findings: [],
    active: false,
    teams: new Set(),
    offboarding: false,
  };
  if (identity?.status === 'deleted') return none;
  if (identity && ctx.isUntouchable(identity.username)) return none;
  const access = desiredAccess(desired, ctx.policy, ctx.scopeGroups);
  if (access.active && desired?.user) return grant(ctx, objectId, desired.user, identity, access, grantOnly);
  if (!identity || grantOnly) return { ...none, username: identity?.username };
  return revoke(ctx, objectId, desired, identity);
}

function grant(
  ctx: PlanContext,
  objectId: ObjectId,
  user: DirectoryUser,
  identity: IdentityRecord | undefined,
  access: DesiredAccess,
  grantOnly: boolean,
): UserDecision {
  const findings: Finding[] = [];
  const actions: UserAction[] = [];
  const email = gogsEmailFor(user);
  const base = { objectId, snapshotAt: ctx.snapshotAt, fence: ctx.fence(objectId, access.groups) };
  const inactive = (): UserDecision => ({
    actions,
    findings,
    active: false,
    teams: new Set(),
    offboarding: false,
  });

  if (
    !identity ||
    (identity.pending === 'refused' && !ctx.actual.accounts.has(identity.username.toLowerCase()))
  ) {
    if (!email) {
      findings.push({ kind: 'noEmail', objectId });
      return inactive();
    }
    const claim = ctx.allocator.claim(objectId, user, email);
    findings.push(...claim.findings);
    if (!claim.username) return inactive();
    const adopted = claim.adopt ? ctx.actual.accounts.get(claim.username.toLowerCase()) : undefined;
    const holder = adopted ? undefined : ctx.emailHolder(email, undefined);
    if (holder) {
      findings.push({ kind: 'emailInUse', objectId, holder });
      return inactive();
    }
    const profile: UserProfile = {
      // Gogs stores a created account's email lower-cased (spec §2.4); later PATCHes in the same
      // plan must send that spelling, or the case-only change collides with itself.
      email: adopted?.email ?? emailKey(email),
      fullName: fullNameOf(user),
      sourceId: ctx.policy.loginSourceId,
      loginName: loginNameFor(ctx, claim.username),
    };
    if (claim.adopt) {
      actions.push({
        ...base,
        kind: 'adoptUser',
        username: claim.username,
        profile,
        reason: 'adopt the existing account',
      });
    } else {
      actions.push({
        ...base,
        kind: 'createUser',
        username: claim.username,
        profile,
        reason: 'in scope in Entra',
      });
    }
    // Gogs creates accounts without the flag; an adopted account's flag is unknown until written.
    if (access.admin || claim.adopt) {
      actions.push(siteAdmin(ctx, objectId, claim.username, access, profile, false));
    }
    return {
      actions,
      findings,
      username: claim.username,
      active: true,
      teams: access.teams,
      offboarding: false,
    };
  }

  const { username, written } = identity;
  const account = ctx.actual.accounts.get(username.toLowerCase());
  if (!email && !account) {
    findings.push({ kind: 'noEmail', objectId });
    return { ...inactive(), username };
  }
  if (!email) findings.push({ kind: 'noEmail', objectId });
  // Same address in another case: keep Gogs' spelling, since a case-only change collides with
  // the user's own email (spec/gogs-api.md §2.5).
  const sameEmail = email && account && emailKey(email) === emailKey(account.email);
  const profile: UserProfile = {
    email: (sameEmail ? account.email : email) ?? account?.email ?? '',
    fullName: fullNameOf(user),
    sourceId: ctx.policy.loginSourceId,
    loginName: loginNameFor(ctx, username),
  };
  if (!account) {
    actions.push({
      ...base,
      kind: 'createUser',
      username,
      profile,
      reason: 'the managed account is missing in Gogs',
    });
  } else if (identity.status === 'suspended') {
    actions.push({ ...base, kind: 'restoreUser', username, profile, reason: 'enabled and in scope again' });
  } else {
    const changes: string[] = [];
    const holder = ctx.emailHolder(profile.email, username);
    if (holder) {
      findings.push({ kind: 'emailInUse', objectId, holder });
      profile.email = account.email;
    }
    if (emailKey(account.email) !== emailKey(profile.email)) changes.push('email');
    if (account.fullName !== profile.fullName) changes.push('fullName');
    if (written.sourceId !== profile.sourceId) changes.push('sourceId');
    if (written.loginName !== profile.loginName) changes.push('loginName');
    if (written.active !== true) changes.push('active');
    if (changes.length > 0 || ctx.reassert) {
      const reason =
        changes.length > 0 ? `changed: ${changes.join(', ')}` : 're-assert the fields Gogs hides';
      actions.push({
        ...base,
        kind: 'updateUser',
        username,
        profile,
        active: true,
        changes,
        reassert: changes.length === 0,
        reason,
      });
    }
  }
  const recreated = !account;
  if (!grantOnly) {
    const knownAdmin = recreated ? false : written.admin;
    if (knownAdmin !== access.admin || ctx.reassert) {
      actions.push(siteAdmin(ctx, objectId, username, access, profile, knownAdmin === access.admin));
    }
  }
  return { actions, findings, username, active: true, teams: access.teams, offboarding: false };
}

function siteAdmin(
  ctx: PlanContext,
  objectId: ObjectId,
  username: string,
  access: DesiredAccess,
  profile: UserProfile,
  reassert: boolean,
): UserAction {
  const { admin } = access;
  const hold: HoldReason | undefined =
    !admin && !reassert && ctx.policy.siteAdminGroup && ctx.suspects.has(ctx.policy.siteAdminGroup)
      ? 'suspectRead'
      : undefined;
  return {
    kind: 'setSiteAdmin',
    objectId,
    username,
    admin,
    profile,
    reassert,
    snapshotAt: ctx.snapshotAt,
    fence: admin ? ctx.fence(objectId, access.groups) : ctx.scopeFence(objectId),
    reason: reassert
      ? 're-assert the site-admin flag'
      : admin
        ? 'in the site-admin group'
        : 'left the site-admin group',
    ...(hold ? { hold } : {}),
  };
}

function revoke(
  ctx: PlanContext,
  objectId: ObjectId,
  desired: DesiredUser | undefined,
  identity: IdentityRecord,
): UserDecision {
  const { username, written } = identity;
  const decision: UserDecision = {
    actions: [],
    findings: [],
    username,
    active: false,
    teams: new Set(),
    offboarding: false,
  };
  const account = ctx.actual.accounts.get(username.toLowerCase());
  if (!account) return decision;
  // The suspend PATCH sends what Gogs holds, never Entra's profile (DESIGN §3.5).
  const profile: UserProfile = {
    email: account.email,
    fullName: account.fullName,
    sourceId: written.sourceId ?? ctx.policy.loginSourceId,
    loginName: written.loginName ?? loginNameFor(ctx, username),
  };
  const base = { objectId, username, profile, snapshotAt: ctx.snapshotAt, fence: ctx.scopeFence(objectId) };
  const why = revokeReason(desired);
  if (desired?.presence === 'hardDeleted' && ctx.policy.deprovisionMode === 'delete') {
    decision.actions.push({ ...base, kind: 'deleteUser', reason: `${why}; DEPROVISION_MODE=delete` });
    decision.offboarding = true;
    return decision;
  }
  if (identity.status === 'active') {
    const hold = restsOnSuspectRead(ctx, desired) ? ({ hold: 'suspectRead' } as const) : {};
    decision.actions.push({ ...base, kind: 'suspendUser', alreadySuspended: false, reason: why, ...hold });
    decision.offboarding = true;
    return decision;
  }
  const keys = ctx.actual.keys.get(username.toLowerCase()) ?? [];
  if (keys.length > 0 || written.active !== false) {
    const reason =
      keys.length > 0
        ? 'SSH keys reappeared on a suspended account'
        : 'the suspension was not recorded whole';
    decision.actions.push({ ...base, kind: 'suspendUser', alreadySuspended: true, reason });
    decision.offboarding = true;
  } else if (ctx.reassert) {
    decision.actions.push({
      ...base,
      kind: 'updateUser',
      active: false,
      changes: [],
      reassert: true,
      reason: 're-assert the suspension',
    });
  }
  return decision;
}

function revokeReason(desired: DesiredUser | undefined): string {
  if (!desired || desired.presence === 'absent') return 'out of scope in Entra';
  if (desired.presence === 'softDeleted') return 'deleted in Entra (soft delete)';
  if (desired.presence === 'hardDeleted') return 'deleted in Entra (permanent)';
  if (desired.user && !desired.user.accountEnabled) return 'disabled in Entra';
  return 'no longer in scope';
}

/** A user who merely vanished from scope while a scope group read is suspect may be a bad read. */
function restsOnSuspectRead(ctx: PlanContext, desired: DesiredUser | undefined): boolean {
  if (ctx.policy.scope !== 'mappedGroups' || ctx.suspects.size === 0) return false;
  if (desired?.presence === 'softDeleted' || desired?.presence === 'hardDeleted') return false;
  if (desired?.user && !desired.user.accountEnabled) return false;
  return true;
}
