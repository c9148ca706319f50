import type { DirectoryUser, ObjectId } from '../../src/domain/types.js';
import type { MappingEntry } from '../../src/sync/policy.js';
import { anObjectId, aPolicy } from './builders.js';
import { SyncHarness } from './syncHarness.js';

/** mulberry32: a small seeded generator, so every failing seed can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Dice {
  constructor(readonly next: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

// Real-world shapes: collisions, diacritics, apostrophes, CJK-only, reserved words, long names.
const NICKNAMES = [
  'alice',
  'alice',
  'Alice',
  'bob',
  'zoë.ångström',
  "o'brien",
  '山田太郎',
  'admin',
  'api',
  'root',
  'svc-build',
  'a-very-long-nickname-that-is-35-chr',
  'a-very-long-nickname-that-is-35-chr',
  'jean-luc',
  'Jean.Luc',
  'ærøskøbing',
  'müller',
  'mueller',
  'x.keys',
];

export interface World {
  harness: SyncHarness;
  dice: Dice;
  groups: ObjectId[];
  /** Accounts the sync must never touch: unmanaged ones and protected ones. */
  untouchable: string[];
  userSeq: { n: number };
}

/** A random tenant and a Gogs with some pre-existing accounts, under a random mapping. */
export function randomWorld(seed: number, options: { budget?: number; freshnessMs?: number } = {}): World {
  const dice = new Dice(seededRandom(seed));
  const groups = Array.from({ length: dice.int(3, 7) }, (_, i) => anObjectId(0x1000 + i));
  const mapping: MappingEntry[] = [];
  const teamCount = dice.int(1, 3);
  for (let t = 0; t < teamCount; t++) {
    const org = dice.pick(['acme', 'contoso-eng']);
    const team = dice.chance(0.15) ? 'Owners' : `team-${t}`;
    for (const group of new Set([dice.pick(groups), dice.pick(groups)])) {
      mapping.push({ group, org, team, permission: dice.pick(['read', 'write', 'admin'] as const) });
    }
  }
  const fixedPermission = new Map<string, MappingEntry['permission']>();
  for (const entry of mapping) {
    const key = `${entry.org}/${entry.team}`.toLowerCase();
    entry.permission = fixedPermission.get(key) ?? entry.permission;
    fixedPermission.set(key, entry.permission);
  }
  const harness = new SyncHarness(
    aPolicy({
      scope: dice.chance(0.8) ? 'mappedGroups' : 'allUsers',
      mapping,
      ...(dice.chance(0.6) ? { siteAdminGroup: dice.pick(groups) } : {}),
      includeGuests: dice.chance(0.5),
      adoptExisting: dice.chance(0.3) ? 'usernameAndEmail' : 'off',
      protectedUsers: new Set(['svc-build']),
      maxDeprovision: options.budget ?? 10_000,
      maxDeprovisionPercent: 0,
      reconcileFreshnessMs: options.freshnessMs ?? 120_000,
    }),
  );
  const { directory } = harness;
  // Nesting: a group may contain groups after it, which bounds depth by the group count (≤ 4 deep here).
  for (const [i, group] of groups.entries()) {
    directory.groups.set(group, new Set());
    if (i + 1 < groups.length && dice.chance(0.5) && i < 4) {
      directory.groups.get(group)?.add(groups[dice.int(i + 1, groups.length - 1)] as ObjectId);
    }
  }
  const world: World = { harness, dice, groups, untouchable: [], userSeq: { n: 0 } };
  const userCount = dice.int(4, 14);
  for (let u = 0; u < userCount; u++) addRandomUser(world);
  for (const name of [
    'svc-build',
    ...(dice.chance(0.5) ? ['bob'] : []),
    ...(dice.chance(0.3) ? ['alice'] : []),
  ]) {
    harness.git.addUnmanaged(name, `${name}@contoso.com`);
    world.untouchable.push(name);
  }
  world.untouchable.push('root');
  return world;
}

export function addRandomUser(world: World): DirectoryUser {
  const { dice, harness, groups } = world;
  const id = anObjectId(0x20000 + world.userSeq.n++);
  const nickname = dice.pick(NICKNAMES);
  const guest = dice.chance(0.15);
  const local = `${nickname.replace(/[^a-z0-9.]/gi, '') || 'user'}${world.userSeq.n}`;
  const user: DirectoryUser = {
    id,
    displayName: dice.chance(0.2) ? 'Tom & Jerry <b>' : `Person ${nickname}`,
    mail: dice.chance(0.1) ? null : `${local}@contoso.com`,
    userPrincipalName: guest ? `${local}_fabrikam.com#EXT#@contoso.onmicrosoft.com` : `${local}@contoso.com`,
    mailNickname: guest ? `${local}_fabrikam.com#EXT#` : nickname,
    userType: guest ? 'Guest' : 'Member',
    accountEnabled: dice.chance(0.9),
  };
  harness.directory.users.set(id, user);
  for (const group of groups) if (dice.chance(0.35)) harness.directory.groups.get(group)?.add(id);
  return user;
}

export type Mutation = { kind: 'user'; id: ObjectId } | { kind: 'group'; id: ObjectId };

/** One random directory change, returned as the notification Graph would send for it. */
export function mutate(world: World): Mutation {
  const { dice, harness, groups } = world;
  const { directory } = harness;
  const users = [...directory.users.keys()];
  const roll = dice.int(0, 9);
  if (roll === 0 || users.length === 0) {
    const user = addRandomUser(world);
    return { kind: 'user', id: user.id };
  }
  const id = dice.pick(users);
  const user = directory.users.get(id) as DirectoryUser;
  switch (roll) {
    case 1:
      user.accountEnabled = !user.accountEnabled;
      return { kind: 'user', id };
    case 2:
      directory.softDelete(id);
      return { kind: 'user', id };
    case 3: {
      const deleted = [...directory.softDeleted.keys()];
      if (deleted.length > 0) {
        const back = dice.pick(deleted);
        directory.restore(back);
        return { kind: 'user', id: back };
      }
      user.displayName = `Renamed ${dice.int(0, 99)}`;
      return { kind: 'user', id };
    }
    case 4:
      user.mail = `changed${dice.int(0, 999)}@contoso.com`;
      return { kind: 'user', id };
    case 5:
      directory.hardDelete(id);
      return { kind: 'user', id };
    case 6: {
      const group = dice.pick(groups);
      directory.groups.get(group)?.delete(id);
      return { kind: 'group', id: group };
    }
    default: {
      const group = dice.pick(groups);
      directory.groups.get(group)?.add(id);
      return { kind: 'group', id: group };
    }
  }
}
