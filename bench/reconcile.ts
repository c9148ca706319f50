import type { TenantShape } from '../emulators/graph/generateTenant.js';
import { depthOf, mappedAncestor, type TenantFacts, tenantFacts } from './tenantFacts.js';
import {
  SMALL_INSTANCE_HEAP_MB,
  type StepReport,
  startTenantStack,
  type TenantStack,
} from './tenantStack.js';

/** One worker run, cut down for the report: wall time, memory, calls per API and the Gogs routes. */
export interface StepFigures {
  wallMs: number;
  status: string;
  peakRssMb: number;
  peakHeapMb: number;
  gogsCalls: number;
  gogsWrites: number;
  graphCalls: number;
  counts?: Record<string, number>;
  gogsByRoute: Record<string, number>;
  graphByRoute: Record<string, number>;
  /** Messages it took: a run past its time budget queues its continuation (RUN_APPLY_BUDGET_MS). */
  runs?: number;
}

export interface GogsFloor {
  creates: number;
  memberships: number;
  orgs: number;
  teams: number;
  siteAdmins: number;
  suspended: number;
  /** creates + memberships + orgs + teams + site admins: the writes a first sync can't avoid. */
  writes: number;
  /** A no-op reconcile's reads per DESIGN §3.3: one listing, teams per org, members per team, keys per suspended user. */
  noOpReads: number;
}

export interface TenantRun {
  shape: TenantShape;
  gogsLatencyMs: number;
  /** The worker's V8 heap limit: half the Flex instance memory it stands for. */
  heapMb: number;
  settings: Record<string, string>;
  planOnly?: StepFigures;
  firstSync?: StepFigures;
  noOp?: StepFigures;
  catchUp?: StepFigures;
  floor?: GogsFloor & { graphPages: number };
  skipped?: string;
}

export function figures(step: StepReport): StepFigures {
  return {
    wallMs: step.wallMs,
    status: step.status,
    peakRssMb: step.peakRssMb,
    peakHeapMb: step.peakHeapMb,
    gogsCalls: step.gogs.total,
    gogsWrites: step.gogs.writes,
    graphCalls: step.graph.total,
    ...(step.counts ? { counts: step.counts } : {}),
    gogsByRoute: step.gogs.byRoute,
    graphByRoute: step.graph.byRoute,
  };
}

interface GogsState {
  users: { username: string; active: boolean; isAdmin: boolean }[];
  orgs: { username: string; teams: { name: string; members: string[] }[] }[];
}

/** The floor for the Gogs state the first sync produced. */
export async function gogsFloor(stack: TenantStack): Promise<GogsFloor> {
  const state = (await (await fetch(`${stack.gogsUrl}/_emulator/state`)).json()) as GogsState;
  const managed = state.users.filter((u) => u.username !== 'root');
  const teams = stack.tenant.mapping.teams;
  const orgs = new Set(teams.map((t) => t.org));
  let memberships = 0;
  for (const t of teams) {
    const team = state.orgs.find((o) => o.username === t.org)?.teams.find((x) => x.name === t.team);
    memberships += team?.members.length ?? 0;
  }
  const creates = managed.length;
  const siteAdmins = managed.filter((u) => u.isAdmin).length;
  const suspended = managed.filter((u) => !u.active).length;
  return {
    creates,
    memberships,
    orgs: orgs.size,
    teams: teams.length,
    siteAdmins,
    suspended,
    writes: creates + memberships + orgs.size + teams.length + siteAdmins,
    noOpReads: 1 + orgs.size + teams.length + suspended,
  };
}

export interface TenantOptions {
  gogsLatencyMs: number;
  /** Settings over the defaults, reported with the figures. */
  settings?: Record<string, string>;
  /** The worker's heap limit (bench/tenantStack.ts: the 512 MB instance's unless given). */
  heapMb?: number;
  /** Bound of one worker run (the first sync is the long one). */
  stepTimeoutMs: number;
  catchUpChanges: number;
  /** Runs the events of B5 on the synced tenant before it stops. */
  events?: (stack: TenantStack, facts: TenantFacts) => Promise<void>;
  /** Stop after the dry run (too big to sync within the bound). */
  planOnly?: boolean;
  planOnlyTimeoutMs?: number;
  /** No dry run first (the first sync reads the same). */
  skipDryRun?: boolean;
}

/**
 * B3/B4 on one tenant: a dry run on the empty Gogs (desired read + plan: the memory a big tenant
 * needs), the first sync, a no-op reconcile, then a catch-up round after `catchUpChanges` edits.
 */
export async function measureTenant(shape: TenantShape, options: TenantOptions): Promise<TenantRun> {
  const settings = options.settings ?? {};
  const heapMb = options.heapMb ?? SMALL_INSTANCE_HEAP_MB;
  const stack = await startTenantStack(shape, options.gogsLatencyMs, settings, heapMb);
  const out: TenantRun = { shape, gogsLatencyMs: options.gogsLatencyMs, heapMb, settings };
  try {
    const facts = tenantFacts(stack.tenant);
    try {
      if (!options.skipDryRun)
        out.planOnly = figures(
          await stack.run(
            { kind: 'reconcile', dryRun: true },
            options.planOnlyTimeoutMs ?? options.stepTimeoutMs,
          ),
        );
    } catch (error) {
      if (!options.planOnly) throw error;
      out.skipped = `dry run not done: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (options.planOnly) return out;
    out.firstSync = await runToTheEnd(stack, { kind: 'reconcile' }, options.stepTimeoutMs);
    if (out.firstSync.status === 'timedOut') {
      out.skipped = `the first sync was cut off after ${options.stepTimeoutMs / 60_000} min (${out.firstSync.gogsWrites} Gogs writes done); no no-op or catch-up measured`;
      return out;
    }
    out.floor = { ...(await gogsFloor(stack)), graphPages: facts.minimumGraphPages };
    out.noOp = figures(await stack.run({ kind: 'reconcile' }, options.stepTimeoutMs));
    // The first round only sets the cursors (delta from `latest`); the second reads the edits.
    await stack.run({ kind: 'catchUp' }, 120_000);
    // Users out of scope: no worker drains the queue here, and B5 must start from a synced state.
    const inScope = new Set([...facts.scopeUsers.values()].flatMap((users) => [...users]));
    const users = (stack.tenant.seed.users ?? [])
      .filter((u) => !inScope.has(u.id as string))
      .slice(0, options.catchUpChanges);
    for (const [i, user] of users.entries())
      await stack.directory('PATCH', `/users/${user.id}`, { displayName: `Renamed ${i}` });
    out.catchUp = figures(await stack.run({ kind: 'catchUp' }, 120_000));
    if (options.events) await options.events(stack, facts);
    return out;
  } finally {
    await stack.stop();
  }
}

/**
 * A reconcile and its continuations (a run stops starting writes at its time budget and queues
 * the next, as the worker does in production), within one bound: wall times and calls summed,
 * memory the largest of any run.
 */
async function runToTheEnd(
  stack: TenantStack,
  message: Record<string, unknown>,
  boundMs: number,
): Promise<StepFigures> {
  const started = Date.now();
  let total: StepFigures | undefined;
  for (;;) {
    const step = figures(await stack.run(message, Math.max(1_000, boundMs - (Date.now() - started))));
    total = total ? merge(total, step) : { ...step, runs: 1 };
    if (step.status === 'timedOut' || !step.counts?.deferred) return total;
  }
}

function merge(a: StepFigures, b: StepFigures): StepFigures {
  const sum = (x: Record<string, number> = {}, y: Record<string, number> = {}) => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  return {
    wallMs: a.wallMs + b.wallMs,
    status: b.status,
    peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
    peakHeapMb: Math.max(a.peakHeapMb, b.peakHeapMb),
    gogsCalls: a.gogsCalls + b.gogsCalls,
    gogsWrites: a.gogsWrites + b.gogsWrites,
    graphCalls: a.graphCalls + b.graphCalls,
    counts: sum(a.counts, b.counts),
    gogsByRoute: sum(a.gogsByRoute, b.gogsByRoute),
    graphByRoute: sum(a.graphByRoute, b.graphByRoute),
    runs: (a.runs ?? 1) + 1,
  };
}

/** A nested group at the deepest level, its mapped ancestor, and a user in scope but not in that team. */
export function pickMembershipChange(
  stack: TenantStack,
  facts: TenantFacts,
  skip: number,
): { group: string; user: string; mapped: string } {
  const mapped = new Set(stack.tenant.mapping.teams.map((t) => t.group));
  const inScope = new Set<string>();
  for (const [group, users] of facts.scopeUsers)
    if (group !== stack.tenant.mapping.siteAdminGroup) for (const u of users) inScope.add(u);
  const admins = facts.scopeUsers.get(stack.tenant.mapping.siteAdminGroup) ?? new Set<string>();
  const deepest = Math.max(...[...facts.parentOf.keys()].map((g) => depthOf(facts, g)));
  const nested = [...facts.parentOf.keys()].filter((g) => depthOf(facts, g) === deepest).sort();
  const group = nested[skip % nested.length] as string;
  const top = mappedAncestor(facts, group, mapped) as string;
  const already = facts.scopeUsers.get(top) ?? new Set<string>();
  const candidates = [...inScope]
    .filter((u) => facts.enabled.has(u) && !already.has(u) && !admins.has(u))
    .sort();
  return { group, user: candidates[skip * 7 + 3] as string, mapped: top };
}
