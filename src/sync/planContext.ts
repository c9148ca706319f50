import { emailKey } from '../domain/emails.js';
import type { DirectoryUser, IdentityRecord, ObjectId, ObjectKey } from '../domain/types.js';
import { groupKey, userKey } from '../domain/types.js';
import { deriveUsername } from '../domain/usernames.js';
import { suspectGroups } from './guard.js';
import type { ActualState, Finding, PlanInput } from './model.js';
import type { SyncPolicy } from './policy.js';
import { scopeGroups } from './policy.js';

/** Everything one planning pass shares; built per plan, never kept. */
export interface PlanContext {
  policy: SyncPolicy;
  snapshotAt: number;
  actual: ActualState;
  identities: ReadonlyMap<ObjectId, IdentityRecord>;
  /** Managed (non-tombstone) identities by lower-cased username. */
  managedByUsername: ReadonlyMap<string, IdentityRecord>;
  reassert: boolean;
  scopeGroups: ReadonlySet<ObjectId>;
  suspects: ReadonlyMap<ObjectId, string>;
  allocator: UsernameAllocator;
  /** The token's owner and PROTECTED_GOGS_USERS: never touched, whatever the directory says. */
  isUntouchable(username: string): boolean;
  /**
   * Another account holding this email, as far as Gogs' API can tell: Gogs counts only active
   * accounts, and only managed suspended ones are known to be inactive (spec/gogs-api.md §2.4).
   */
  emailHolder(email: string, self: string | undefined): string | undefined;
  /** Fence of an action resting on the user and the given groups having been read as they were. */
  fence(objectId: ObjectId, groups: Iterable<ObjectId>): ObjectKey[];
  /** Fence of taking access away for being out of scope: a change of any scope group may undo it. */
  scopeFence(objectId: ObjectId): ObjectKey[];
}

export function planContext(input: PlanInput, policy: SyncPolicy): PlanContext {
  const managedByUsername = new Map<string, IdentityRecord>();
  for (const identity of input.identities.values()) {
    if (identity.status !== 'deleted') managedByUsername.set(identity.username.toLowerCase(), identity);
  }
  const tokenOwner = input.actual.tokenOwner.toLowerCase();
  const isUntouchable = (username: string) =>
    username.toLowerCase() === tokenOwner || policy.protectedUsers.has(username.toLowerCase());
  const groups = scopeGroups(policy);
  const fence = (objectId: ObjectId, of: Iterable<ObjectId>): ObjectKey[] => [
    userKey(objectId),
    ...[...new Set(of)].sort().map(groupKey),
  ];
  const holders = new Map<string, string[]>();
  for (const account of input.actual.accounts.values()) {
    const key = emailKey(account.email);
    if (key === '') continue;
    const identity = managedByUsername.get(account.username.toLowerCase());
    if (identity?.status === 'suspended') continue;
    holders.set(key, [...(holders.get(key) ?? []), account.username]);
  }
  const emailHolder = (email: string, self: string | undefined) =>
    holders.get(emailKey(email))?.find((name) => name.toLowerCase() !== self?.toLowerCase());
  return {
    policy,
    fence,
    emailHolder,
    scopeFence: (objectId) => fence(objectId, policy.scope === 'mappedGroups' ? groups : []),
    snapshotAt: input.desired.snapshotAt,
    actual: input.actual,
    identities: input.identities,
    managedByUsername,
    reassert: input.reassert ?? false,
    scopeGroups: groups,
    suspects: suspectGroups(input.desired, policy),
    allocator: new UsernameAllocator(policy, input, managedByUsername, isUntouchable),
    isUntouchable,
  };
}

export interface Claim {
  username?: string;
  adopt: boolean;
  findings: Finding[];
}

/**
 * Gives each new identity a username no other identity (tombstones included), account, org or
 * protected name holds, in the order the planner asks (sorted object ids, so plans are
 * deterministic). Mutable only for the length of one plan.
 */
export class UsernameAllocator {
  private readonly claimed = new Set<string>();
  private readonly everClaimed: ReadonlySet<string>;
  private readonly mappedOrgs: ReadonlySet<string>;

  constructor(
    private readonly policy: SyncPolicy,
    private readonly input: PlanInput,
    private readonly managedByUsername: ReadonlyMap<string, IdentityRecord>,
    private readonly isUntouchable: (username: string) => boolean,
  ) {
    this.everClaimed = new Set(
      [...input.identities.values()].map((identity) => identity.username.toLowerCase()),
    );
    // Orgs share the users' namespace; a plan that read only some teams doesn't know every org.
    this.mappedOrgs = new Set(policy.teams.map((team) => team.org.toLowerCase()));
  }

  claim(objectId: ObjectId, user: DirectoryUser, email: string): Claim {
    const request = {
      objectId,
      attributeValue: user[this.policy.usernameAttribute],
      override: this.policy.usernameOverrides[objectId],
    };
    const adoptable = this.adoptable(request, user, email);
    if (adoptable) return this.take(adoptable, true, []);
    const chosen = deriveUsername(request, (name) => this.isTaken(name));
    if (!chosen.ok)
      return { adopt: false, findings: [{ kind: 'usernameRejected', objectId, reason: chosen.reason }] };
    const wanted = deriveUsername(request, (name) => this.claimed.has(name) || this.everClaimed.has(name));
    const findings: Finding[] =
      wanted.ok && wanted.username !== chosen.username
        ? [{ kind: 'usernameCollision', objectId, wanted: wanted.username, chosen: chosen.username }]
        : [];
    return this.take(chosen.username, false, findings);
  }

  private take(username: string, adopt: boolean, findings: Finding[]): Claim {
    this.claimed.add(username.toLowerCase());
    return { username, adopt, findings };
  }

  private isTaken(lowerName: string): boolean {
    const { actual } = this.input;
    return (
      this.claimed.has(lowerName) ||
      this.everClaimed.has(lowerName) ||
      actual.accounts.has(lowerName) ||
      actual.takenNames.has(lowerName) ||
      actual.orgs.has(lowerName) ||
      this.mappedOrgs.has(lowerName) ||
      this.isUntouchable(lowerName)
    );
  }

  /** DESIGN §3.5: adoption needs username and email to match, never for guests or protected users. */
  private adoptable(
    request: Parameters<typeof deriveUsername>[0],
    user: DirectoryUser,
    email: string,
  ): string | undefined {
    if (this.policy.adoptExisting !== 'usernameAndEmail') return undefined;
    if (user.userType === 'Guest' || user.userPrincipalName.toLowerCase().includes('#ext#')) return undefined;
    const first = deriveUsername(
      request,
      (name) => this.claimed.has(name) || this.everClaimed.has(name) || this.isUntouchable(name),
    );
    if (!first.ok) return undefined;
    const lower = first.username.toLowerCase();
    const account = this.input.actual.accounts.get(lower);
    if (!account || this.managedByUsername.has(lower) || this.isUntouchable(lower)) return undefined;
    return emailKey(account.email) === emailKey(email) ? account.username : undefined;
  }
}
