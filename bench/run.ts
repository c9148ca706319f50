import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { type CostPerEventResult, costPerEvent } from './costPerEvent.js';
import type { Machine } from './machine.js';
import { describeMachine } from './machine.js';
import { type BenchOptions, parseOptions, shapeFor, USAGE } from './options.js';
import { benchPropagation, type PropagationResult } from './propagation.js';
import { measureTenant, type TenantRun } from './reconcile.js';
import { writeReport } from './report.js';
import type { TenantFacts } from './tenantFacts.js';
import { DEFAULT_INSTANCE_HEAP_MB, type TenantStack } from './tenantStack.js';
import { benchWebhook, type WebhookResult } from './webhook.js';

export interface BenchDocument {
  machine: Machine;
  quick: boolean;
  durationS: number;
  loadAvg1mAtEnd: number;
  B1?: WebhookResult;
  B2?: PropagationResult;
  B3?: TenantRun;
  B4?: TenantRun[];
  B5?: CostPerEventResult;
  /** The tenant B5 ran on, when not B3's. */
  B5tenant?: TenantRun;
  errors: Record<string, string>;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** Runs the selected benchmarks one after the other; a failing one is reported, the rest still run. */
export async function runBenchmarks(
  options: BenchOptions,
  progress: (doc: BenchDocument) => Promise<void> = async () => undefined,
): Promise<BenchDocument> {
  const started = performance.now();
  const doc: BenchDocument = {
    machine: describeMachine(new Date()),
    quick: options.quick,
    durationS: 0,
    loadAvg1mAtEnd: 0,
    errors: {},
  };
  const attempt = async (id: string, work: () => Promise<void>) => {
    log(`${id}…`);
    const t0 = performance.now();
    try {
      await work();
    } catch (error) {
      doc.errors[id] = error instanceof Error ? error.message : String(error);
      log(`${id} failed: ${doc.errors[id]}`);
    }
    log(`${id} took ${Math.round((performance.now() - t0) / 1000)} s`);
    doc.durationS = Math.round((performance.now() - started) / 1000);
    await progress(doc);
  };
  const events = async (stack: TenantStack, facts: TenantFacts) => {
    doc.B5 = await costPerEvent(stack, facts, options.eventSamples);
  };
  if (options.only.has('B3'))
    await attempt('B3', async () => {
      doc.B3 = await measureTenant(options.large, {
        gogsLatencyMs: options.gogsLatencyMs,
        settings: options.tenantSettings,
        stepTimeoutMs: options.firstSyncBoundMs,
        catchUpChanges: 10,
        skipDryRun: !options.quick,
        ...(options.only.has('B5') && options.eventTenant === 'B3' ? { events } : {}),
      });
    });
  const eventTenant = options.eventTenant;
  if (options.only.has('B5') && eventTenant !== 'B3')
    await attempt('B5', async () => {
      doc.B5tenant = await measureTenant(eventTenant, {
        gogsLatencyMs: options.gogsLatencyMs,
        settings: options.tenantSettings,
        stepTimeoutMs: options.firstSyncBoundMs,
        catchUpChanges: 10,
        skipDryRun: true,
        events,
      });
    });
  if (options.only.has('B4'))
    await attempt('B4', async () => {
      doc.B4 = [];
      let previous: TenantRun | undefined;
      for (const users of options.growth) {
        const shape = shapeFor(users);
        const reuse = doc.B3 && doc.B3.shape.users === users ? doc.B3 : undefined;
        const estimate = previous?.firstSync ? (previous.firstSync.wallMs * users) / previous.shape.users : 0;
        const planOnly = !reuse && estimate > options.growthBudgetMs;
        log(
          `B4 ${users} users${reuse ? ' (B3)' : planOnly ? ` (dry run only: ~${Math.round(estimate / 60_000)} min)` : ''}`,
        );
        const run =
          reuse ??
          (await measureTenant(shape, {
            gogsLatencyMs: options.gogsLatencyMs,
            settings: options.tenantSettings,
            stepTimeoutMs: options.growthBudgetMs * 2,
            // Past B3's size the app runs on the default 2 GB instance (docs/deploy.md).
            ...(users > options.large.users ? { heapMb: DEFAULT_INSTANCE_HEAP_MB } : {}),
            catchUpChanges: 10,
            planOnly,
            planOnlyTimeoutMs: options.growthBudgetMs / 2,
          }));
        if (planOnly && !reuse)
          run.skipped =
            run.skipped ??
            `first sync not run: linear extrapolation from ${previous?.shape.users} users gives ${Math.round(estimate / 60_000)} min, over the ${Math.round(options.growthBudgetMs / 60_000)} min budget`;
        doc.B4.push(run);
        previous = run.firstSync ? run : previous;
      }
    });
  if (options.only.has('B1'))
    await attempt('B1', async () => {
      doc.B1 = await benchWebhook({
        collections: options.webhookCollections,
        concurrency: options.webhookConcurrency,
      });
    });
  if (options.only.has('B2'))
    await attempt('B2', async () => {
      doc.B2 = await benchPropagation({ perKind: options.propagationPerKind });
    });
  doc.durationS = Math.round((performance.now() - started) / 1000);
  doc.loadAvg1mAtEnd = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  return doc;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') return void console.log(USAGE);
  // The generated section is rewritten after each benchmark, so a cut-short run keeps what it measured.
  const doc = await runBenchmarks(options, async (partial) => {
    if (options.docs) await writeReport(options.docs, partial);
  });
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  if (options.docs) {
    await writeReport(options.docs, doc);
    log(`wrote ${options.docs}`);
  }
  if (Object.keys(doc.errors).length > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    // Emulator sockets and Azurite children are closed; don't wait for stray keep-alive timers.
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
