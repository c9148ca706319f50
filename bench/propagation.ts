import type { Seed } from '../emulators/graph/index.js';
import { directoryAdmin } from '../test/e2e/support.js';
import { type HostStack, startHostStack } from './hostStack.js';
import { type Summary, sleep, summarize } from './stats.js';

const STAFF = 'b2000000-0000-4000-8000-000000000001';
const ENGINEERING = 'b2000000-0000-4000-8000-000000000002';
const CONTRACTORS = 'b2000000-0000-4000-8000-000000000003';
const OP_TIMEOUT_MS = 30_000;
const POLL_MS = 20;

export type ChangeKind = 'create' | 'nestedAdd' | 'nestedRemove' | 'disable';

export interface PropagationResult {
  perKind: number;
  ms: Record<ChangeKind, Summary & { timedOut: number }>;
  all: Summary;
  note: string;
}

interface GogsView {
  users: { username: string; email: string; active: boolean }[];
  orgs: { username: string; teams: { name: string; members: string[] }[] }[];
}

/**
 * B2: from a write on the Graph emulator to the Gogs state being right, through the whole local
 * stack (notification, webhook, queue, worker, Gogs), one change at a time. Staff and Engineering
 * are mapped; Contractors is nested in Engineering.
 */
export async function benchPropagation(options: { perKind: number }): Promise<PropagationResult> {
  const stack = await startHostStack({
    seed: propagationSeed(),
    mapping: {
      scope: 'mappedGroups',
      teams: [
        { group: STAFF, org: 'bench', team: 'staff', permission: 'read' },
        { group: ENGINEERING, org: 'bench', team: 'engineering', permission: 'write' },
      ],
    },
    // A benchmark that trips the deprovision guard measures the guard (issue 9).
    settings: { MAX_DEPROVISION: '100000', MAX_DEPROVISION_PERCENT: '100' },
  });
  try {
    const graph = await adminOf(stack);
    const ids: string[] = [];
    for (let i = 0; i < options.perKind; i++) {
      const nick = `bench${String(i).padStart(3, '0')}`;
      const user = await graph('POST', '/users', {
        accountEnabled: true,
        displayName: `Bench ${i}`,
        mailNickname: nick,
        mail: `${nick}@contoso.com`,
        userPrincipalName: `${nick}@contoso.com`,
        passwordProfile: { password: 'Bench-password-1!' },
      });
      ids.push(String(user.id));
    }
    // Out of scope until they join a mapped group: let the worker finish with their notifications.
    await sleep(3_000);
    const ref = (id: string) => ({ '@odata.id': `${stack.graph.url}/v1.0/directoryObjects/${id}` });
    const email = (i: number) => `bench${String(i).padStart(3, '0')}@contoso.com`;
    const steps: Record<
      ChangeKind,
      (i: number) => { write: () => Promise<unknown>; done: (s: GogsView) => boolean }
    > = {
      create: (i) => ({
        write: () => graph('POST', `/groups/${STAFF}/members/$ref`, ref(ids[i] as string)),
        done: (s) => isUser(s, email(i), true) && inTeam(s, 'staff', email(i)),
      }),
      nestedAdd: (i) => ({
        write: () => graph('POST', `/groups/${CONTRACTORS}/members/$ref`, ref(ids[i] as string)),
        done: (s) => inTeam(s, 'engineering', email(i)),
      }),
      nestedRemove: (i) => ({
        write: () => graph('DELETE', `/groups/${CONTRACTORS}/members/${ids[i]}/$ref`),
        done: (s) => !inTeam(s, 'engineering', email(i)),
      }),
      disable: (i) => ({
        write: () => graph('PATCH', `/users/${ids[i]}`, { accountEnabled: false }),
        done: (s) => isUser(s, email(i), false),
      }),
    };
    const ms = {} as PropagationResult['ms'];
    const all: number[] = [];
    for (const kind of Object.keys(steps) as ChangeKind[]) {
      const samples: number[] = [];
      let timedOut = 0;
      for (let i = 0; i < ids.length; i++) {
        const step = steps[kind](i);
        await step.write();
        const took = await until(stack, step.done);
        if (took === undefined) timedOut++;
        samples.push(took ?? OP_TIMEOUT_MS);
        all.push(took ?? OP_TIMEOUT_MS);
      }
      ms[kind] = { ...summarize(samples), timedOut };
    }
    return {
      perKind: ids.length,
      ms,
      all: summarize(all),
      note: 'one change at a time; includes the emulator batch window (50 ms) and host queue polling',
    };
  } finally {
    await stack.stop();
  }
}

/** Milliseconds until `done` holds for Gogs' state, or undefined after OP_TIMEOUT_MS. */
async function until(stack: HostStack, done: (state: GogsView) => boolean): Promise<number | undefined> {
  const t0 = performance.now();
  while (performance.now() - t0 < OP_TIMEOUT_MS) {
    const state = (await (await fetch(`${stack.gogsUrl}/_emulator/state`)).json()) as GogsView;
    if (done(state)) return Math.round((performance.now() - t0) * 10) / 10;
    await sleep(POLL_MS);
  }
  return undefined;
}

function usernameOf(state: GogsView, email: string): string | undefined {
  return state.users.find((u) => u.email.toLowerCase() === email)?.username;
}

function isUser(state: GogsView, email: string, active: boolean): boolean {
  return state.users.some((u) => u.email.toLowerCase() === email && u.active === active);
}

function inTeam(state: GogsView, team: string, email: string): boolean {
  const username = usernameOf(state, email);
  const members = state.orgs.find((o) => o.username === 'bench')?.teams.find((t) => t.name === team)?.members;
  return username !== undefined && (members ?? []).some((m) => m.toLowerCase() === username.toLowerCase());
}

function adminOf(stack: HostStack) {
  return directoryAdmin({
    functions: stack.functions,
    graph: stack.graph.url,
    gogs: stack.gogsUrl,
    gogsAdminToken: stack.gogsToken,
    tenantId: stack.graph.tenantId,
    clientId: stack.graph.clientId,
    clientSecret: stack.graph.clientSecret,
    caCert: stack.graph.caCert,
    directoryAdmin: { clientId: stack.graph.adminClientId, clientSecret: stack.graph.adminClientSecret },
  });
}

function propagationSeed(): Seed {
  const user = (n: number) => ({
    id: `b2000000-0000-4000-8000-1000000000${String(n).padStart(2, '0')}`,
    displayName: `Seed ${n}`,
    mailNickname: `seed${n}`,
    mail: `seed${n}@contoso.com`,
    userPrincipalName: `seed${n}@contoso.com`,
  });
  const users = [1, 2, 3, 4].map(user);
  return {
    tenant: { id: 'b2000000-0000-4000-8000-0000000000aa', displayName: 'Bench propagation' },
    domains: ['contoso.onmicrosoft.com', 'contoso.com'],
    apps: [
      {
        displayName: 'entra-gogs-sync',
        clientId: 'b2000000-0000-4000-8000-0000000000a1',
        clientSecret: 'bench-sync',
      },
      {
        displayName: 'directory-admin',
        clientId: 'b2000000-0000-4000-8000-0000000000a2',
        clientSecret: 'bench-admin',
        roles: [
          'User.ReadWrite.All',
          'Group.ReadWrite.All',
          'GroupMember.ReadWrite.All',
          'Directory.ReadWrite.All',
        ],
      },
    ],
    users,
    groups: [
      { id: STAFF, displayName: 'Staff', mailNickname: 'staff', members: users.map((u) => u.id) },
      {
        id: ENGINEERING,
        displayName: 'Engineering',
        mailNickname: 'engineering',
        members: [CONTRACTORS, users[0]?.id as string],
      },
      {
        id: CONTRACTORS,
        displayName: 'Contractors',
        mailNickname: 'contractors',
        members: [users[1]?.id as string],
      },
    ],
  };
}
