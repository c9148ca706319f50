import { writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Seed, SeedGroup, SeedUser } from './types.js';

export interface TenantShape {
  users: number;
  groups: number;
  /** How many groups are mapped to Gogs teams (the top level of the nesting). */
  mapped: number;
  /** Nesting depth: 1 = no nested groups. */
  depth: number;
  /** User→group memberships (distinct pairs). */
  memberships: number;
  seed: number;
}

export interface GeneratedTenant {
  seed: Seed;
  /** A SYNC_MAPPING for the mapped groups (DESIGN §5). */
  mapping: {
    scope: 'mappedGroups';
    siteAdminGroup: string;
    teams: Array<{ group: string; org: string; team: string; permission: 'read' | 'write' | 'admin' }>;
  };
}

/** mulberry32: small, deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uuid(rand: () => number): string {
  const b = Array.from({ length: 16 }, () => Math.floor(rand() * 256));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A synthetic tenant for benchmarks; the same shape always gives the same tenant. */
export function generateTenant(shape: TenantShape): GeneratedTenant {
  const rand = prng(shape.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const users: SeedUser[] = [];
  for (let i = 0; i < shape.users; i++) {
    const guest = i % 100 === 99;
    const n = String(i).padStart(5, '0');
    users.push({
      id: uuid(rand),
      displayName: `User ${n}`,
      givenName: 'User',
      surname: n,
      mail: guest ? `user${n}@fabrikam.com` : `user${n}@contoso.com`,
      userPrincipalName: guest
        ? `user${n}_fabrikam.com#EXT#@contoso.onmicrosoft.com`
        : `user${n}@contoso.com`,
      userType: guest ? 'Guest' : 'Member',
      accountEnabled: i % 50 !== 49,
    });
  }
  const depth = Math.max(1, shape.depth);
  const mapped = Math.min(shape.mapped, shape.groups);
  const levels: SeedGroup[][] = Array.from({ length: depth }, () => []);
  for (let i = 0; i < shape.groups; i++) {
    const level = i < mapped ? 0 : 1 + ((i - mapped) % Math.max(1, depth - 1));
    const group: SeedGroup = {
      id: uuid(rand),
      displayName: `${level === 0 ? 'Team' : 'Sub'} ${String(i).padStart(4, '0')}`,
      mailNickname: `group${i}`,
      members: [],
    };
    (levels[Math.min(level, depth - 1)] as SeedGroup[]).push(group);
  }
  for (let l = 1; l < depth; l++) {
    for (const g of levels[l] ?? []) pick(levels[l - 1] ?? []).members?.push(g.id as string);
  }
  const groups = levels.flat();
  const pairs = new Set<string>();
  const target = Math.min(shape.memberships, users.length * groups.length);
  while (pairs.size < target && groups.length > 0 && users.length > 0) {
    const gi = Math.floor(rand() * groups.length);
    const ui = Math.floor(rand() * users.length);
    const key = `${gi}:${ui}`;
    if (pairs.has(key)) continue;
    pairs.add(key);
    groups[gi]?.members?.push(users[ui]?.id as string);
  }
  const siteAdmins: SeedGroup = {
    id: uuid(rand),
    displayName: 'Gogs Site Admins',
    mailNickname: 'gogs-site-admins',
    isAssignableToRole: true,
    members: users.slice(0, Math.min(3, users.length)).map((u) => u.id as string),
  };
  const seed: Seed = {
    tenant: { id: uuid(rand), displayName: `Synthetic tenant ${shape.seed}` },
    domains: ['contoso.onmicrosoft.com', 'contoso.com'],
    apps: [
      { displayName: 'entra-gogs-sync', clientId: uuid(rand), clientSecret: `sync-${shape.seed}` },
      {
        displayName: 'directory-admin',
        clientId: uuid(rand),
        clientSecret: `admin-${shape.seed}`,
        roles: [
          'User.ReadWrite.All',
          'Group.ReadWrite.All',
          'GroupMember.ReadWrite.All',
          'Directory.ReadWrite.All',
        ],
      },
    ],
    users,
    groups: [...groups, siteAdmins],
  };
  const permissions = ['read', 'write', 'admin'] as const;
  return {
    seed,
    mapping: {
      scope: 'mappedGroups',
      siteAdminGroup: siteAdmins.id as string,
      teams: (levels[0] ?? []).map((g, i) => ({
        group: g.id as string,
        org: `org${i % 10}`,
        team: `team${i}`,
        permission: permissions[i % 3] ?? 'read',
      })),
    },
  };
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '10000' },
      groups: { type: 'string', default: '1000' },
      mapped: { type: 'string', default: '200' },
      depth: { type: 'string', default: '3' },
      memberships: { type: 'string', default: '50000' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
      'mapping-out': { type: 'string' },
    },
  });
  const result = generateTenant({
    users: Number(values.users),
    groups: Number(values.groups),
    mapped: Number(values.mapped),
    depth: Number(values.depth),
    memberships: Number(values.memberships),
    seed: Number(values.seed),
  });
  const text = `${JSON.stringify(result.seed, null, 1)}\n`;
  if (values.out) await writeFile(values.out, text);
  else process.stdout.write(text);
  if (values['mapping-out'])
    await writeFile(values['mapping-out'], `${JSON.stringify(result.mapping, null, 2)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await cli();
