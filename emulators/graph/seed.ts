import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Directory } from './directory.js';
import type { AppPrincipal, GroupRecord, Seed, UserRecord } from './types.js';

export const DEFAULT_READ_ROLES = ['User.Read.All', 'Group.Read.All'];

export async function loadSeed(seed: Seed | string | undefined): Promise<Seed> {
  if (typeof seed === 'object') return seed;
  const path = seed ?? new URL('./seeds/demo.json', import.meta.url);
  return JSON.parse(await readFile(path, 'utf8')) as Seed;
}

export interface Tenant {
  directory: Directory;
  apps: AppPrincipal[];
  managedIdentity: AppPrincipal;
  displayName: string;
}

function toUser(s: NonNullable<Seed['users']>[number], created: string): UserRecord {
  const nick = s.mailNickname ?? s.userPrincipalName.split('@')[0] ?? s.displayName;
  return {
    kind: 'user',
    id: s.id ?? randomUUID(),
    displayName: s.displayName,
    givenName: s.givenName ?? null,
    surname: s.surname ?? null,
    mail: s.mail ?? null,
    mailNickname: nick,
    userPrincipalName: s.userPrincipalName,
    userType: s.userType ?? (s.userPrincipalName.includes('#EXT#') ? 'Guest' : 'Member'),
    accountEnabled: s.accountEnabled ?? true,
    jobTitle: s.jobTitle ?? null,
    onPremisesSamAccountName: s.onPremisesSamAccountName ?? null,
    createdDateTime: created,
    deletedDateTime: s.deleted ? created : null,
  };
}

function toGroup(s: NonNullable<Seed['groups']>[number], created: string): GroupRecord {
  return {
    kind: 'group',
    id: s.id ?? randomUUID(),
    displayName: s.displayName,
    description: s.description ?? null,
    mailNickname: s.mailNickname ?? s.displayName.replace(/[^A-Za-z0-9]/g, ''),
    mail: s.mail ?? null,
    securityEnabled: s.securityEnabled ?? true,
    mailEnabled: s.mailEnabled ?? false,
    groupTypes: s.groupTypes ?? [],
    isAssignableToRole: s.isAssignableToRole ?? false,
    membershipRule: s.membershipRule ?? null,
    createdDateTime: created,
    deletedDateTime: s.deleted ? created : null,
    members: new Set(),
  };
}

export interface TenantOverrides {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
}

/** Builds a fresh tenant from a seed; the first app may be overridden (CLI flags). No changes are logged. */
export function buildTenant(seed: Seed, overrides: TenantOverrides): Tenant {
  const tenantId = overrides.tenantId ?? seed.tenant?.id ?? randomUUID();
  const domains = seed.domains?.length ? seed.domains : ['contoso.onmicrosoft.com'];
  const directory = new Directory(tenantId, domains);
  const created = new Date().toISOString();
  const upnToId = new Map<string, string>();
  for (const su of seed.users ?? []) {
    const u = toUser(su, created);
    directory.insert(u, false);
    upnToId.set(u.userPrincipalName.toLowerCase(), u.id);
  }
  const groups: Array<[GroupRecord, string[]]> = [];
  for (const sg of seed.groups ?? []) {
    const g = toGroup(sg, created);
    directory.insert(g, false);
    groups.push([g, sg.members ?? []]);
  }
  for (const [g, members] of groups) {
    for (const ref of members) {
      const id = directory.objects.has(ref) ? ref : upnToId.get(ref.toLowerCase());
      if (!id) throw new Error(`seed: group ${g.displayName} has unknown member ${ref}`);
      g.members.add(id);
    }
  }
  const seedApps = seed.apps?.length
    ? seed.apps
    : [{ clientId: randomUUID(), clientSecret: randomUUID(), displayName: 'entra-gogs-sync' }];
  const apps: AppPrincipal[] = seedApps.map((a, i) => ({
    clientId: i === 0 && overrides.clientId ? overrides.clientId : a.clientId,
    clientSecret: i === 0 && overrides.clientSecret ? overrides.clientSecret : a.clientSecret,
    displayName: a.displayName ?? `app${i}`,
    roles: a.roles ?? DEFAULT_READ_ROLES,
    objectId: randomUUID(),
  }));
  const mi = seed.managedIdentity ?? {};
  const managedIdentity: AppPrincipal = {
    clientId: mi.clientId ?? randomUUID(),
    clientSecret: null,
    displayName: 'managed-identity',
    roles: mi.roles ?? DEFAULT_READ_ROLES,
    objectId: randomUUID(),
  };
  return { directory, apps, managedIdentity, displayName: seed.tenant?.displayName ?? 'Contoso' };
}
