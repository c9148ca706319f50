import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../dev/start.js';
import { directoryAdmin, eventually, freePort, gogsUser, teamMembers } from './support.js';

// The demo tenant (dev/demoTenant.json): Contractors is nested in Engineering, which feeds
// contoso/engineering; Platform Admins are Gogs site admins.
const CONTRACTORS = 'e0000000-0000-4000-8000-000000000002';
const PLATFORM_ADMINS = 'e0000000-0000-4000-8000-000000000003';

let stack: LocalStack;
let graph: Awaited<ReturnType<typeof directoryAdmin>>;
let userId: string;
const hostLog: string[] = [];
const changeLines: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ port: await freePort(), hostLog: (line) => hostLog.push(line) });
  graph = await directoryAdmin(stack.ready);
  // What npm start prints after its ready line: one line per applied change.
  void stack.followChanges((line) => changeLines.push(line));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function api(path: string, init?: RequestInit) {
  return fetch(`${stack.ready.functions}/api${path}`, init);
}

const inTeam = (username: string) => async () =>
  (await teamMembers(stack.ready, 'contoso', 'engineering')).includes(username) || undefined;
const outOfTeam = (username: string) => async () =>
  !(await teamMembers(stack.ready, 'contoso', 'engineering')).includes(username) || undefined;
const userMatches = (username: string, want: Record<string, unknown>) => async () => {
  const user = await gogsUser(stack.ready, username);
  return user && Object.entries(want).every(([key, value]) => user[key as keyof typeof user] === value)
    ? user
    : undefined;
};

describe('the local stack, end to end through notifications', () => {
  it('starts with the demo tenant reconciled: nested contractors are in the engineering team', async () => {
    expect(await teamMembers(stack.ready, 'contoso', 'engineering')).toEqual(
      expect.arrayContaining(['miriam', 'nestor']),
    );
    expect(await gogsUser(stack.ready, 'adele')).toMatchObject({ isAdmin: true, active: true });
    expect(await gogsUser(stack.ready, 'patti')).toBeUndefined(); // Marketing only: out of scope.
  });

  it('creates a new contractor in Gogs and the engineering team within seconds', async () => {
    const created = await graph('POST', '/users', {
      accountEnabled: true,
      displayName: 'Quinn Newhire',
      mailNickname: 'quinn',
      mail: 'quinn@contoso.com',
      userPrincipalName: 'quinn@contoso.com',
      passwordProfile: { password: 'Not-a-real-secret-1!' },
    });
    userId = String(created.id);
    await graph('POST', `/groups/${CONTRACTORS}/members/$ref`, {
      '@odata.id': `${stack.ready.graph}/v1.0/directoryObjects/${userId}`,
    });

    await eventually('quinn in contoso/engineering', inTeam('quinn'));
    expect(await gogsUser(stack.ready, 'quinn')).toMatchObject({ email: 'quinn@contoso.com', active: true });
    await eventually(
      'the change lines npm start prints',
      async () =>
        ['applied createUser quinn', 'applied addTeamMember quinn contoso/engineering'].every((want) =>
          changeLines.some((line) => line.startsWith(want)),
        ) || undefined,
    );
  });

  it('answers the SSO proxy with the username for the object id', async () => {
    const response = await api(`/sso/username?oid=${userId}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ username: 'quinn' });
  });

  it('follows a rename: email and display name change, the username stays', async () => {
    await graph('PATCH', `/users/${userId}`, {
      displayName: 'Quinn Renamed',
      mail: 'quinn.renamed@contoso.com',
    });
    await eventually(
      'the new profile',
      userMatches('quinn', { email: 'quinn.renamed@contoso.com', fullName: 'Quinn Renamed' }),
    );
  });

  it('suspends a disabled user and restores them when enabled again', async () => {
    await graph('PATCH', `/users/${userId}`, { accountEnabled: false });
    await eventually('quinn suspended', userMatches('quinn', { active: false }));
    await eventually('quinn out of the team', outOfTeam('quinn'));

    await graph('PATCH', `/users/${userId}`, { accountEnabled: true });
    await eventually('quinn restored', userMatches('quinn', { active: true }));
    await eventually('quinn back in the team', inTeam('quinn'));
  });

  it('suspends on a soft delete and restores on a restore', async () => {
    await graph('DELETE', `/users/${userId}`);
    await eventually('quinn suspended', userMatches('quinn', { active: false }));
    await graph('POST', `/directory/deletedItems/${userId}/restore`);
    await eventually('quinn restored', userMatches('quinn', { active: true }));
  });

  it('removes a member taken out of the nested group from the team', async () => {
    await graph('DELETE', `/groups/${CONTRACTORS}/members/${userId}/$ref`);
    await eventually('quinn out of the team', outOfTeam('quinn'));
  });

  it('makes a Platform Admins member a site admin, and takes the role back', async () => {
    await graph('POST', `/groups/${PLATFORM_ADMINS}/members/$ref`, {
      '@odata.id': `${stack.ready.graph}/v1.0/directoryObjects/${userId}`,
    });
    await eventually('quinn admin', userMatches('quinn', { isAdmin: true, active: true }));
    await graph('DELETE', `/groups/${PLATFORM_ADMINS}/members/${userId}/$ref`);
    await eventually('quinn not admin', userMatches('quinn', { isAdmin: false }));
  });

  it('cuts off a permanently deleted user and records what Gogs cannot revoke', async () => {
    await graph('POST', `/groups/${CONTRACTORS}/members/$ref`, {
      '@odata.id': `${stack.ready.graph}/v1.0/directoryObjects/${userId}`,
    });
    await eventually('quinn back in the team', inTeam('quinn'));
    await graph('DELETE', `/users/${userId}`);
    await graph('DELETE', `/directory/deletedItems/${userId}`);

    await eventually('quinn suspended', userMatches('quinn', { active: false }));
    const audit = await eventually('the suspension with its residual access', async () => {
      const response = await api(`/audit?user=${userId}&since=1h&format=json`);
      const body = (await response.json()) as {
        records: { kind: string; status: string; residual?: unknown }[];
      };
      return body.records.find((r) => r.kind === 'suspendUser' && r.status === 'applied' && r.residual);
    });
    expect(audit.residual).toMatchObject({
      accessTokens: 'possible',
      orgMemberships: [{ org: 'contoso', certainty: 'known' }],
    });
  });

  it('drops a forged notification: wrong clientState or tenant enqueue nothing', async () => {
    const patti = '0000000c-d000-4000-8000-00000000000c'; // Marketing only, so never in Gogs.
    const item = (overrides: Record<string, unknown>) => ({
      subscriptionId: '00000000-0000-0000-0000-000000000000',
      subscriptionExpirationDateTime: '2026-12-20T11:00:00.0000000-08:00',
      changeType: 'updated',
      resource: `Users/${patti}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${patti}`, id: patti },
      clientState: 'forged',
      tenantId: stack.ready.tenantId,
      ...overrides,
    });
    const response = await api('/graph/notifications', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ value: [item({}), item({ tenantId: '00000000-1111-2222-3333-444444444444' })] }),
    });
    expect(response.status).toBe(202);
    // The counters reach status within seconds (buffered per instance): both items dropped, none enqueued.
    const counts = await eventually('the drops in status', async () => {
      const status = (await (await api('/status')).json()) as {
        webhook?: { counts?: Record<string, number> };
      };
      const c = status.webhook?.counts ?? {};
      return (c['notifications.dropped.wrongClientState'] ?? 0) >= 1 &&
        (c['notifications.dropped.wrongTenant'] ?? 0) >= 1
        ? c
        : undefined;
    });
    expect(counts['notifications.dropped.wrongClientState']).toBe(1);
    expect(hostLog.filter((line) => line.includes(patti))).toEqual([]);
  });
});
