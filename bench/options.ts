import { parseArgs } from 'node:util';
import type { TenantShape } from '../emulators/graph/generateTenant.js';

export const BENCHMARKS = ['B1', 'B2', 'B3', 'B4', 'B5'] as const;
export type BenchId = (typeof BENCHMARKS)[number];

export interface BenchOptions {
  only: ReadonlySet<BenchId>;
  quick: boolean;
  /** Where the table goes; empty = don't write. */
  docs: string;
  webhookCollections: number;
  webhookConcurrency: number[];
  propagationPerKind: number;
  /** B3's tenant. */
  large: TenantShape;
  /** B3's first sync is cut off here (its partial figures are reported). */
  firstSyncBoundMs: number;
  /** B5's tenant: the largest whose first sync finishes well within the bound here ('B3' = B3's). */
  eventTenant: TenantShape | 'B3';
  /** B4's user counts; the tenant shape scales with them. */
  growth: number[];
  /** A B4 size whose first sync extrapolates past this is measured as a dry run only. */
  growthBudgetMs: number;
  eventSamples: number;
  gogsLatencyMs: number;
  /** Settings for B3–B5's worker (see docs/performance.md: the freshness re-read). */
  tenantSettings: Record<string, string>;
}

export const USAGE = `usage: npm run bench [-- --only B1,B3] [--quick] [--no-docs]

Runs the benchmarks of issue 9 against the local stack (loopback only), prints one JSON document
and rewrites the generated part of docs/performance.md. --quick: small sizes, a smoke run.`;

/** The tenant shape of issue 9 (10,000 users, 1,000 groups, 200 mapped, depth 3, 50,000 memberships), scaled. */
export function shapeFor(users: number): TenantShape {
  return {
    users,
    groups: Math.max(10, users / 10),
    mapped: Math.max(2, users / 50),
    depth: 3,
    memberships: users * 5,
    seed: 1,
  };
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      'no-docs': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const only = new Set<BenchId>();
  for (const name of (values.only ?? BENCHMARKS.join(',')).split(',')) {
    const id = name.trim().toUpperCase();
    if (!(BENCHMARKS as readonly string[]).includes(id))
      throw new Error(`--only: unknown benchmark "${name}" (known: ${BENCHMARKS.join(', ')})`);
    only.add(id as BenchId);
  }
  const quick = values.quick;
  return {
    only,
    quick,
    docs: values['no-docs'] ? '' : 'docs/performance.md',
    webhookCollections: quick ? 200 : 2_000,
    webhookConcurrency: [1, 8],
    propagationPerKind: quick ? 5 : 50,
    large: shapeFor(quick ? 500 : 10_000),
    // A first sync is a run and its continuations (RUN_APPLY_BUDGET_MS); the bound covers them all.
    firstSyncBoundMs: quick ? 120_000 : 15 * 60_000,
    eventTenant: 'B3',
    growth: quick ? [200, 500] : [1_000, 10_000, 50_000],
    growthBudgetMs: quick ? 60_000 : 10 * 60_000,
    eventSamples: quick ? 2 : 5,
    gogsLatencyMs: 5,
    // The defaults: a run stops at RECONCILE_FRESHNESS and its continuation re-reads (reconcileFlow).
    tenantSettings: {},
  };
}
