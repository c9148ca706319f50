import { describe, expect, it } from 'vitest';
import type { ObjectId } from '../../../src/domain/types.js';
import { scopeGroups } from '../../../src/sync/policy.js';
import type { GroupMembersRead } from '../../../src/sync/ports.js';
import { readDesiredState } from '../../../src/sync/readState.js';
import { anObjectId, aPolicy, aUser } from '../../fakes/builders.js';
import { FakeClock } from '../../fakes/fakeClock.js';
import { FakeDirectory } from '../../fakes/fakeDirectory.js';

const ENGINEERING = anObjectId(4001);
const CONTRACTORS = anObjectId(4002);
const DESIGN = anObjectId(4003);
const GONE = anObjectId(4004);

function world(scope: 'mappedGroups' | 'allUsers' = 'mappedGroups') {
  const policy = aPolicy({
    scope,
    mapping: [
      { group: ENGINEERING, org: 'acme', team: 'engineering', permission: 'write' },
      { group: DESIGN, org: 'acme', team: 'design', permission: 'read' },
      { group: GONE, org: 'acme', team: 'gone', permission: 'read' },
    ],
  });
  const directory = new FakeDirectory(() => scopeGroups(policy));
  const adele = aUser({ mailNickname: 'adele' });
  const alex = aUser({ mailNickname: 'alex' });
  const megan = aUser({ mailNickname: 'megan' });
  const outsider = aUser({ mailNickname: 'outsider' });
  for (const u of [adele, alex, megan, outsider]) directory.users.set(u.id, u);
  directory.groups.set(ENGINEERING, new Set([adele.id, CONTRACTORS]));
  directory.groups.set(CONTRACTORS, new Set([alex.id]));
  directory.groups.set(DESIGN, new Set([alex.id, megan.id]));
  return { policy, directory, adele, alex, megan, outsider };
}

describe('readDesiredState', () => {
  it('takes the members’ profiles from the group reads, once per user, with no per-user read', async () => {
    const w = world();

    const desired = await readDesiredState(w.directory, w.policy, new FakeClock(), new Map());

    expect([...desired.users.keys()]).toEqual([w.adele.id, w.alex.id, w.megan.id].sort());
    expect(desired.users.get(w.alex.id)).toEqual({
      presence: 'present',
      user: w.alex,
      groups: new Set([ENGINEERING, DESIGN]),
    });
    expect(desired.users.has(w.outsider.id)).toBe(false);
  });

  it('keeps the group reads without their profiles', async () => {
    const w = world();

    const desired = await readDesiredState(w.directory, w.policy, new FakeClock(), new Map());

    expect(desired.groupReads.get(ENGINEERING)).toEqual({
      status: 'ok',
      members: [w.adele.id, w.alex.id].sort(),
    });
    expect(Object.keys(desired.groupReads.get(DESIGN) ?? {}).sort()).toEqual(['members', 'status']);
    expect(desired.groupReads.get(GONE)).toEqual({ status: 'notFound' });
  });

  it('leaves out a member whose profile did not come with the read', async () => {
    const w = world();
    const withoutMegan = w.directory.readGroupMembers.bind(w.directory);
    w.directory.readGroupMembers = async (groupId: ObjectId): Promise<GroupMembersRead> => {
      const read = await withoutMegan(groupId);
      return read.status === 'ok' ? { ...read, users: read.users.filter((u) => u.id !== w.megan.id) } : read;
    };

    const desired = await readDesiredState(w.directory, w.policy, new FakeClock(), new Map());

    expect(desired.users.has(w.megan.id)).toBe(false);
    expect(desired.groupReads.get(DESIGN)).toEqual({ status: 'ok', members: [w.alex.id, w.megan.id].sort() });
  });

  it('adds no user of a failed read, and keeps the failure', async () => {
    const w = world();
    w.directory.failingGroups.add(DESIGN);

    const desired = await readDesiredState(w.directory, w.policy, new FakeClock(), new Map());

    expect(desired.users.has(w.megan.id)).toBe(false);
    expect(desired.users.get(w.alex.id)?.groups).toEqual(new Set([ENGINEERING]));
    expect(desired.groupReads.get(DESIGN)).toEqual({ status: 'failed', message: 'page 2 answered 503' });
  });

  it('reads every user when the scope is allUsers, with the groups from the reads', async () => {
    const w = world('allUsers');

    const desired = await readDesiredState(w.directory, w.policy, new FakeClock(), new Map());

    expect(desired.users.size).toBe(4);
    expect(desired.users.get(w.outsider.id)?.groups).toEqual(new Set());
    expect(desired.users.get(w.megan.id)?.groups).toEqual(new Set([DESIGN]));
  });
});
