import type { ResidualAccess, UserProfile } from '../domain/actions.js';
import { teamKey } from '../domain/types.js';
import type { GogsTeamRef } from '../sync/ports.js';
import { GogsApiError } from './gogsApiError.js';
import type { GogsServer } from './gogsServer.js';
import { randomPassword } from './password.js';

/**
 * The offboarding recipe (DESIGN §3.6): out of every managed team (ends team-granted repository
 * access, tokens included), SSH keys deleted (ends SSH), a fresh random password nobody keeps (ends
 * password sign-in and Git over HTTP), `active: false` and `admin: false` with the email and name
 * Gogs holds. Then what the API can neither revoke nor list is reported, each with its certainty.
 */
export async function offboard(
  server: GogsServer,
  username: string,
  profile: UserProfile,
  managedTeams: GogsTeamRef[],
): Promise<ResidualAccess> {
  const lower = username.toLowerCase();
  const touchedOrgs = new Set<string>();
  for (const ref of managedTeams) {
    const id = await server.teamId(ref);
    if (id === undefined) continue;
    const members = await server.listTeamMembers(id);
    if (!members.some((member) => member.toLowerCase() === lower)) continue;
    await server.removeTeamMember(ref, username);
    touchedOrgs.add(ref.org.toLowerCase());
  }
  for (const key of await server.listKeys(username)) {
    // A site admin may delete anyone's key; an unknown id is a 204 no-op (spec §2.8).
    await server.client.call('DELETE', `/user/keys/${key.id}`, { route: '/user/keys/:id' });
  }
  await server.updateUser(username, profile, { password: randomPassword(), active: false, admin: false });

  const unmanagedTeams = await unmanagedMemberships(server, username, managedTeams);
  for (const team of unmanagedTeams) touchedOrgs.add(team.org.toLowerCase());
  const managedOrgs = [...new Set(managedTeams.map((ref) => ref.org.toLowerCase()))].sort();
  return {
    accessTokens: 'possible',
    orgMemberships: managedOrgs.map((org) => ({
      org,
      certainty: touchedOrgs.has(org) ? 'known' : 'possible',
    })),
    publicRepos: await server.listPublicRepos(username),
    privateRepos: 'unknown',
    collaborations: 'unknown',
    unmanagedTeams,
  };
}

/** Teams the mapping doesn't name, in the managed orgs: removed or reported (UNMANAGED_TEAMS_ON_OFFBOARD). */
async function unmanagedMemberships(server: GogsServer, username: string, managedTeams: GogsTeamRef[]) {
  const managed = new Set(managedTeams.map((ref) => teamKey(ref.org, ref.team)));
  const found: ResidualAccess['unmanagedTeams'] = [];
  for (const org of [...new Set(managedTeams.map((ref) => ref.org))].sort()) {
    for (const team of (await server.listTeams(org)) ?? []) {
      if (managed.has(teamKey(org, team.name))) continue;
      const members = await server.listTeamMembers(team.id);
      if (!members.some((member) => member.toLowerCase() === username.toLowerCase())) continue;
      let removed = false;
      if (server.options.unmanagedTeams === 'remove') {
        try {
          await server.removeTeamMember({ org, team: team.name }, username);
          removed = true;
        } catch (error) {
          // The last Owners member can't leave (a Gogs 500, spec §4.3): report it instead.
          if (!(error instanceof GogsApiError)) throw error;
        }
      }
      found.push({ org, team: team.name, removed });
    }
  }
  return found;
}
