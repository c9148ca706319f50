import type { WorkerApp } from '../../../../src/app/worker/index.js';
import type { DeltaKind, DeltaRound, DeltaStart, SubscriptionOutcome } from '../../../../src/graph/index.js';
import {
  type AuditRecord,
  type ChangeMessage,
  type ChangeMessageInput,
  ConcurrencyError,
  type Cursor,
  type FailureRecord,
  type GroupSize,
  type PauseState,
  parseChangeMessage,
  type RunFinish,
  type RunRecord,
} from '../../../../src/state/index.js';
import type { SyncPolicy } from '../../../../src/sync/policy.js';
import { scopeGroups } from '../../../../src/sync/policy.js';
import { FakeClock } from '../../../fakes/fakeClock.js';
import { FakeDirectory } from '../../../fakes/fakeDirectory.js';
import { InMemoryGitServer } from '../../../fakes/inMemoryGitServer.js';
import { InMemorySyncState } from '../../../fakes/inMemorySyncState.js';

export class FakeQueue {
  readonly sent: { message: ChangeMessage; delayMs?: number }[] = [];
  readonly poisoned: { message: ChangeMessage; reason: string }[] = [];
  private next = 0;

  async enqueue(input: ChangeMessageInput, options: { delayMs?: number } = {}) {
    const message = parseChangeMessage(input);
    this.sent.push({ message, ...(options.delayMs === undefined ? {} : { delayMs: options.delayMs }) });
    return { messageId: `m${++this.next}`, message };
  }

  async sendToPoison(message: ChangeMessage, reason: string): Promise<string> {
    this.poisoned.push({ message, reason });
    return `p${this.poisoned.length}`;
  }

  take(): { message: ChangeMessage; delayMs?: number }[] {
    return this.sent.splice(0);
  }
}

export class FakeSettings {
  readonly values = new Map<string, { value: unknown; etag: string }>();
  private version = 0;

  async get(name: string) {
    return this.values.get(name);
  }

  async getPrefixed(prefix: string) {
    return new Map([...this.values].filter(([name]) => name.startsWith(prefix)));
  }

  async set(name: string, value: unknown, etag?: string): Promise<string> {
    if (etag && this.values.get(name)?.etag !== etag) throw new ConcurrencyError(`setting ${name} changed`);
    const next = `e${++this.version}`;
    this.values.set(name, { value: structuredClone(value), etag: next });
    return next;
  }

  async pauseState(): Promise<PauseState> {
    return (this.values.get('pause')?.value as PauseState | undefined) ?? { paused: false };
  }
}

/** Scripted Graph and subscription answers for the flows that use them. */
export class FakeGraph {
  /** Direct child groups of each group. */
  readonly nested = new Map<string, string[]>();
  readonly rounds: Partial<Record<DeltaKind, DeltaRound[]>> = {};
  readonly starts: { kind: DeltaKind; start: DeltaStart }[] = [];
  subscriptionOutcomes: SubscriptionOutcome[] = [];

  /** Every path listed through `items`, in order. */
  readonly listed: string[] = [];

  /** `/groups/{id}/transitiveMembers/microsoft.graph.group`: the groups beneath, from `nested`. */
  async *items<T>(path: string): AsyncGenerator<T> {
    this.listed.push(path);
    const id = /\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.group/.exec(path)?.[1];
    if (id === undefined) return;
    const beneath = new Set<string>();
    const walk = (group: string) => {
      for (const child of this.nested.get(group) ?? []) {
        if (beneath.has(child)) continue;
        beneath.add(child);
        walk(child);
      }
    };
    walk(decodeURIComponent(id));
    for (const g of beneath) yield { id: g } as T;
  }

  async readRound(kind: DeltaKind, start: DeltaStart): Promise<DeltaRound> {
    this.starts.push({ kind, start });
    return this.rounds[kind]?.shift() ?? { expired: false, changes: [], deltaLink: `${kind}-link`, pages: 1 };
  }
}

export interface FakeWorld {
  app: WorkerApp;
  clock: FakeClock;
  git: InMemoryGitServer;
  state: InMemorySyncState;
  directory: FakeDirectory;
  queue: FakeQueue;
  audit: AuditRecord[];
  settings: FakeSettings;
  failures: Map<string, FailureRecord>;
  runs: Map<string, RunRecord>;
  cursors: Map<string, Cursor>;
  graph: FakeGraph;
  config: { dryRun: boolean };
  /** Names of the leases taken through `stores.sync.leases`. */
  namedLeases: string[];
}

/** The worker wired to in-memory fakes: the sync core's fakes plus small stores and a scripted Graph. */
export function fakeWorld(policy: SyncPolicy): FakeWorld {
  const clock = new FakeClock();
  const git = new InMemoryGitServer();
  const state = new InMemorySyncState();
  const directory = new FakeDirectory(() => scopeGroups(policy));
  const queue = new FakeQueue();
  const audit: AuditRecord[] = [];
  const settings = new FakeSettings();
  const failures = new Map<string, FailureRecord>();
  const runs = new Map<string, RunRecord>();
  const cursors = new Map<string, Cursor>();
  const sizes = new Map<string, GroupSize>();
  const graph = new FakeGraph();
  const config = { dryRun: false };
  const namedLeases: string[] = [];
  const app: WorkerApp = {
    config: {
      gogs: { concurrency: 2 } as WorkerApp['config']['gogs'],
      timing: {
        recheckDelayMs: 60_000,
        retryBaseMs: 1_000,
        retryHorizonMs: 3_600_000,
        reconcileFreshnessMs: 120_000,
      },
      policy: {
        get dryRun() {
          return config.dryRun;
        },
      } as WorkerApp['config']['policy'],
    },
    policy,
    clock,
    gogs: git,
    directory,
    graph,
    delta: graph,
    subscriptions: {
      ensure: async () => graph.subscriptionOutcomes,
      rotate: async () => graph.subscriptionOutcomes,
    },
    stores: {
      // Delegates, since InMemorySyncState keeps its per-object leases in a private `leases` field.
      sync: {
        listIdentities: () => state.listIdentities(),
        getIdentity: (id) => state.getIdentity(id),
        putIdentity: (record) => state.putIdentity(record),
        lastEventAt: (key) => state.lastEventAt(key),
        markEvent: (key, at) => state.markEvent(key, at),
        withLease: (key, work) => state.withLease(key, work),
        drawBudget: (at, limit, windowMs) => state.drawBudget(at, limit, windowMs),
        hold: (held) => state.hold(held),
        leases: {
          withLease: <T>(name: string, work: (signal: AbortSignal) => Promise<T>) => {
            namedLeases.push(name);
            return work(new AbortController().signal);
          },
        },
      },
      queue,
      audit: { write: async (records) => void audit.push(...records) },
      cursors: {
        get: async (resource) => cursors.get(resource),
        put: async (resource, deltaLink, at) => {
          cursors.set(resource, { resource, deltaLink, updatedAt: at, etag: `c${at}` });
          return `c${at}`;
        },
        remove: async (resource) => void cursors.delete(resource),
      },
      runs: {
        start: async (run) => {
          const record: RunRecord = { ...run, status: 'running', counts: {}, dryRun: run.dryRun ?? false };
          runs.set(run.id, record);
          return record;
        },
        finish: async (id: string, finish: RunFinish) => {
          const record = { ...(runs.get(id) as RunRecord), ...finish };
          runs.set(id, record);
          return record;
        },
      },
      failures: {
        record: async (failure) => void failures.set(failure.id, failure),
        clear: async (id) => void failures.delete(id),
        list: async () => [...failures.values()],
      },
      settings,
      groupSizes: {
        getMany: async (ids) =>
          new Map(ids.flatMap((id) => (sizes.has(id) ? [[id, sizes.get(id) as GroupSize]] : []))),
        put: async (size) => void sizes.set(size.groupId, size),
      },
    },
  };
  return {
    app,
    clock,
    git,
    state,
    directory,
    queue,
    audit,
    settings,
    failures,
    runs,
    cursors,
    graph,
    config,
    namedLeases,
  };
}
