import type { Outcome } from '../../src/domain/actions.js';
import { gogsEmailFor } from '../../src/domain/emails.js';
import type { ManagedTeam, ObjectId, ObjectKey } from '../../src/domain/types.js';
import { groupKey, teamKey, userKey } from '../../src/domain/types.js';
import { applyPlan } from '../../src/sync/applyPlan.js';
import { desiredAccess } from '../../src/sync/compareUser.js';
import type { DesiredState, Plan } from '../../src/sync/model.js';
import { planSync, planTeams, planUser, teamsForUserPlan } from '../../src/sync/planSync.js';
import type { SyncPolicy } from '../../src/sync/policy.js';
import { scopeGroups } from '../../src/sync/policy.js';
import type { GroupMembersRead } from '../../src/sync/ports.js';
import {
  desiredFromReads,
  readActualForTeams,
  readActualForUser,
  readActualState,
  readDesiredState,
} from '../../src/sync/readState.js';
import { FakeClock } from './fakeClock.js';
import { FakeDirectory } from './fakeDirectory.js';
import { InMemoryGitServer } from './inMemoryGitServer.js';
import { InMemorySyncState } from './inMemorySyncState.js';

/**
 * The sync core wired to fakes the way the worker wires it to adapters: events mark their objects
 * before reading (so older plans are fenced), single-object plans run under the object's lease.
 */
export class SyncHarness {
  readonly clock = new FakeClock();
  readonly git = new InMemoryGitServer();
  readonly state = new InMemorySyncState();
  readonly directory: FakeDirectory;
  readonly requeued: ObjectKey[] = [];
  readonly lastKnownGroupSizes = new Map<ObjectId, number>();
  concurrency = 4;

  constructor(public policy: SyncPolicy) {
    this.directory = new FakeDirectory(() => scopeGroups(this.policy));
  }

  get deps() {
    return {
      git: this.git,
      state: this.state,
      directory: this.directory,
      clock: this.clock,
      policy: this.policy,
      requeue: async (key: ObjectKey) => {
        this.requeued.push(key);
      },
    };
  }

  async planReconcile(reassert = false): Promise<Plan> {
    const desired = await readDesiredState(this.directory, this.policy, this.clock, this.lastKnownGroupSizes);
    const { actual, identities } = await readActualState(this.git, this.policy, () =>
      this.state.listIdentities(),
    );
    return planSync({ desired, actual, identities: byId(identities), reassert }, this.policy);
  }

  async apply(plan: Plan, leased = false): Promise<Outcome[]> {
    const managedUsers = [...this.state.identities.values()].filter((i) => i.status === 'active').length;
    return applyPlan(plan, this.deps, { concurrency: this.concurrency, cause: 'test', managedUsers, leased });
  }

  async reconcile(reassert = false): Promise<Outcome[]> {
    const plan = await this.planReconcile(reassert);
    const outcomes = await this.apply(plan);
    for (const [groupId, read] of (await readDesiredState(this.directory, this.policy, this.clock, new Map()))
      .groupReads) {
      if (read.status === 'ok') this.lastKnownGroupSizes.set(groupId, read.members.length);
    }
    return outcomes;
  }

  /** A user notification, handled as the worker does: lease, mark, read, plan, apply. */
  async handleUser(objectId: ObjectId): Promise<Outcome[]> {
    return this.state.withLease(userKey(objectId), async () => {
      const snapshotAt = this.clock.now();
      await this.state.markEvent(userKey(objectId), snapshotAt);
      const read = await this.directory.readUser(objectId);
      const identities = await this.state.listIdentities();
      const desired: DesiredState = {
        snapshotAt,
        users: new Map([
          [objectId, { presence: read.presence, user: read.user, groups: new Set(read.groups) }],
        ]),
        groupReads: new Map(),
        lastKnownGroupSizes: this.lastKnownGroupSizes,
      };
      const identity = await this.state.getIdentity(objectId);
      const { actual, teams } = await readActualForUser(this.git, identity, (account) =>
        teamsForUserPlan(this.policy, desired.users.get(objectId), { identity, account, check: 'event' }),
      );
      const plan = planUser({ desired, actual, identities: byId(identities) }, this.policy, objectId, teams);
      return this.apply(plan, true);
    });
  }

  /**
   * A group notification: mark every scope group the changed group feeds, reconcile the managed
   * teams among them, then plan users whose scope may have changed (follow-ups, site admins).
   */
  async handleGroup(groupId: ObjectId): Promise<Outcome[]> {
    const affected = [...scopeGroups(this.policy)].filter(
      (g) => g === groupId || this.directory.transitiveGroups(g).has(groupId),
    );
    if (affected.length === 0) return [];
    const snapshotAt = this.clock.now();
    const teams = this.policy.teams.filter((team) => team.groups.some((g) => affected.includes(g)));
    const groups = [...new Set([...affected, ...teams.flatMap((t) => t.groups)])];
    for (const g of groups) await this.state.markEvent(groupKey(g), snapshotAt);
    const outcomes: Outcome[] = [];
    const followUps = new Set<ObjectId>();
    if (teams.length > 0) {
      const plan = await this.planTeamsNow(teams, groups, snapshotAt);
      outcomes.push(...(await this.apply(plan)));
      for (const id of plan.followUps) followUps.add(id);
    }
    const admins = this.policy.siteAdminGroup;
    if (admins && affected.includes(admins)) {
      for (const id of this.directory.transitiveUsers(admins)) followUps.add(id);
      for (const identity of this.state.identities.values())
        if (identity.written.admin) followUps.add(identity.objectId);
    }
    for (const objectId of [...followUps].sort()) outcomes.push(...(await this.handleUser(objectId)));
    return outcomes;
  }

  private async planTeamsNow(teams: ManagedTeam[], groups: ObjectId[], snapshotAt: number): Promise<Plan> {
    const reads = new Map<ObjectId, GroupMembersRead>();
    for (const g of groups) reads.set(g, await this.directory.readGroupMembers(g));
    const { users, groupReads } = desiredFromReads(reads);
    const actual = await readActualForTeams(this.git, teams);
    const identities = await this.state.listIdentities();
    const desired = {
      snapshotAt,
      users,
      groupReads,
      lastKnownGroupSizes: this.lastKnownGroupSizes,
    };
    return planTeams({ desired, actual, identities: byId(identities) }, this.policy, teams);
  }

  /** Every way Gogs can differ from what the directory says now; empty when converged. */
  async divergence(): Promise<string[]> {
    const problems: string[] = [];
    const groups = scopeGroups(this.policy);
    for (const identity of this.state.identities.values()) {
      if (identity.status === 'deleted') continue;
      const read = await this.directory.readUser(identity.objectId);
      const access = desiredAccess({ ...read, groups: new Set(read.groups) }, this.policy, groups);
      const name = identity.username;
      if (!this.git.hasUser(name)) {
        if (access.active) problems.push(`${name}: should exist`);
        continue;
      }
      const hidden = this.git.hidden(name);
      if (hidden.active !== access.active)
        problems.push(`${name}: active ${hidden.active}, want ${access.active}`);
      if (hidden.admin !== access.admin)
        problems.push(`${name}: admin ${hidden.admin}, want ${access.admin}`);
      for (const team of this.policy.teams) {
        const member = this.git.teamMembers(team.org, team.team).includes(name.toLowerCase());
        const want = access.teams.has(teamKey(team.org, team.team));
        if (member !== want) problems.push(`${name}: in ${team.org}/${team.team} ${member}, want ${want}`);
      }
      if (!access.active && (await this.git.listKeys(name)).length > 0)
        problems.push(`${name}: keeps SSH keys`);
    }
    for (const user of this.directory.users.values()) {
      if (this.state.identities.has(user.id)) continue;
      const read = await this.directory.readUser(user.id);
      const access = desiredAccess({ ...read, groups: new Set(read.groups) }, this.policy, groups);
      if (access.active && gogsEmailFor(user)) problems.push(`${user.id}: should have an account`);
    }
    return problems.sort();
  }
}

export function byId<T extends { objectId: ObjectId }>(records: T[]): Map<ObjectId, T> {
  return new Map(records.map((record) => [record.objectId, record]));
}
