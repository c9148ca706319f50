import { z } from 'zod';
import {
  accountNameProblem,
  MAX_ORG_NAME_LENGTH,
  MAX_USERNAME_LENGTH,
  teamNameProblem,
} from './gogsNames.js';
import { isGuid } from './primitives.js';

const TEAM_PERMISSIONS = ['read', 'write', 'admin', 'owner'] as const;
export type TeamPermission = (typeof TEAM_PERMISSIONS)[number];
/** Gogs gives the Owners team the `owner` permission and no API changes it (spec/gogs-api.md §3). */
export const OWNERS_TEAM = 'owners';

/** Names the unknown fields (usually typos) instead of the object's shape. */
function objectError(shape: string) {
  return (issue: { code?: string; keys?: readonly string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field ${(issue.keys ?? []).map((key) => `"${key}"`).join(', ')}; expected ${shape}`
      : `must be an object ${shape}`;
}

function requiredString(what: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `is required (${what})` : `must be a string (${what})`),
  });
}

const GroupIdSchema = requiredString('an Entra group object id').refine((text) => isGuid(text), {
  message: 'must be an Entra group object id (GUID)',
});

const TeamEntrySchema = z.strictObject(
  {
    group: GroupIdSchema,
    org: requiredString('a Gogs organization name').superRefine((name, ctx) => {
      const problem = accountNameProblem(name, MAX_ORG_NAME_LENGTH);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    team: requiredString('a Gogs team name').superRefine((name, ctx) => {
      const problem = teamNameProblem(name);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    permission: z
      .enum(TEAM_PERMISSIONS, {
        error: 'must be read, write or admin (Gogs silently turns anything else into read)',
      })
      .optional(),
  },
  { error: objectError('{group, org, team, permission?}') },
);

const SyncMappingInputSchema = z.strictObject(
  {
    scope: z
      .enum(['mappedGroups', 'allUsers'], { error: 'must be mappedGroups or allUsers' })
      .default('mappedGroups'),
    siteAdminGroup: GroupIdSchema.optional(),
    teams: z
      .array(TeamEntrySchema, { error: 'must be an array of {group, org, team, permission?}' })
      .default([]),
    usernameOverrides: z
      .record(z.string(), requiredString('a Gogs username'), {
        error: 'must be an object {"<user object id>": "<gogs username>"}',
      })
      .default({}),
  },
  { error: objectError('{scope, siteAdminGroup?, teams, usernameOverrides?}') },
);
type SyncMappingInput = z.output<typeof SyncMappingInputSchema>;
type TeamEntry = SyncMappingInput['teams'][number];

const isOwners = (entry: TeamEntry) => entry.team.toLowerCase() === OWNERS_TEAM;
const teamKey = (entry: TeamEntry) => `${entry.org.toLowerCase()}/${entry.team.toLowerCase()}`;
const describePermission = (entry: TeamEntry) => entry.permission ?? 'read (the default)';

function ownerPermissionProblem(entry: TeamEntry): string | undefined {
  if (isOwners(entry)) {
    const fixed = entry.permission === undefined || entry.permission === 'owner';
    return fixed
      ? undefined
      : 'must be omitted (or owner): the Owners team always has the owner permission in Gogs';
  }
  return entry.permission === 'owner'
    ? 'must be read, write or admin: only the Owners team has the owner permission'
    : undefined;
}

function checkTeams(teams: readonly TeamEntry[], ctx: z.RefinementCtx): void {
  const firstByTeam = new Map<string, number>();
  const firstByEntry = new Map<string, number>();
  for (const [index, entry] of teams.entries()) {
    const ownerProblem = ownerPermissionProblem(entry);
    if (ownerProblem) {
      ctx.addIssue({ code: 'custom', path: ['teams', index, 'permission'], message: ownerProblem });
      continue;
    }
    const entryKey = `${entry.group.toLowerCase()} ${teamKey(entry)}`;
    const duplicate = firstByEntry.get(entryKey);
    if (duplicate !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['teams', index], message: `duplicates teams[${duplicate}]` });
      continue;
    }
    firstByEntry.set(entryKey, index);
    const earlier = firstByTeam.get(teamKey(entry));
    const other = earlier === undefined ? undefined : teams[earlier];
    if (
      earlier !== undefined &&
      other &&
      !isOwners(entry) &&
      (other.permission ?? 'read') !== (entry.permission ?? 'read')
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['teams', index, 'permission'],
        message:
          `${describePermission(entry)} disagrees with teams[${earlier}] (${describePermission(other)}) ` +
          `for team ${entry.org}/${entry.team}; entries for one team must agree on the permission`,
      });
    }
    if (earlier === undefined) firstByTeam.set(teamKey(entry), index);
  }
}

function checkOverrides(overrides: Readonly<Record<string, string>>, ctx: z.RefinementCtx): void {
  const byUsername = new Map<string, string>();
  const byObjectId = new Map<string, string>();
  for (const [objectId, username] of Object.entries(overrides)) {
    const path = ['usernameOverrides', objectId];
    if (!isGuid(objectId)) {
      ctx.addIssue({ code: 'custom', path, message: 'key must be an Entra user object id (GUID)' });
      continue;
    }
    const problem = accountNameProblem(username, MAX_USERNAME_LENGTH);
    if (problem) {
      ctx.addIssue({ code: 'custom', path, message: problem });
      continue;
    }
    const sameId = byObjectId.get(objectId.toLowerCase());
    if (sameId !== undefined) {
      ctx.addIssue({ code: 'custom', path, message: `is the same object id as "${sameId}"` });
      continue;
    }
    byObjectId.set(objectId.toLowerCase(), objectId);
    const pinned = byUsername.get(username.toLowerCase());
    if (pinned !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path,
        message: `pins "${username}", already pinned by "${pinned}"; usernames are case-insensitive and unique`,
      });
      continue;
    }
    byUsername.set(username.toLowerCase(), objectId);
  }
}

export const SyncMappingObjectSchema = SyncMappingInputSchema.superRefine((mapping, ctx) => {
  if (
    mapping.scope === 'mappedGroups' &&
    mapping.teams.length === 0 &&
    mapping.siteAdminGroup === undefined
  ) {
    ctx.addIssue({
      code: 'custom',
      message: 'scope mappedGroups with no teams and no siteAdminGroup puts nobody in scope',
    });
  }
  checkTeams(mapping.teams, ctx);
  checkOverrides(mapping.usernameOverrides, ctx);
}).transform((mapping) => ({
  scope: mapping.scope,
  siteAdminGroup: mapping.siteAdminGroup?.toLowerCase(),
  teams: mapping.teams.map((entry) => ({
    group: entry.group.toLowerCase(),
    org: entry.org,
    team: entry.team,
    permission: isOwners(entry) ? 'owner' : (entry.permission ?? 'read'),
  })),
  /** Entra user object id (lower-case) → pinned Gogs username. */
  usernameOverrides: new Map(
    Object.entries(mapping.usernameOverrides).map(([objectId, username]) => [
      objectId.toLowerCase(),
      username,
    ]),
  ) as ReadonlyMap<string, string>,
}));

export type SyncMapping = z.infer<typeof SyncMappingObjectSchema>;
export type TeamMapping = SyncMapping['teams'][number];

/** `SYNC_MAPPING`: JSON text in, validated mapping out. */
export const SyncMappingSchema = z
  .string()
  .transform((raw, ctx): unknown => {
    try {
      return JSON.parse(raw);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `is not valid JSON (${(error as Error).message})` });
      return z.NEVER;
    }
  })
  .pipe(SyncMappingObjectSchema);
