import type { Config } from '../../config/index.js';
import type {
  DeltaKind,
  DeltaRound,
  DeltaStart,
  ReadUserOptions,
  SubscriptionOutcome,
} from '../../graph/index.js';
import type {
  AuditLog,
  ChangeQueue,
  CursorStore,
  FailureStore,
  GroupSizeStore,
  RunStore,
  SettingsStore,
} from '../../state/index.js';
import type { SyncPolicy } from '../../sync/policy.js';
import type { Clock, DirectoryReader, GitServer, SyncState, UserRead } from '../../sync/ports.js';
import type { LogSink } from '../telemetry.js';

/**
 * What the worker uses of the composed `App` (src/app/composition.ts), as structural types: the
 * real App satisfies it, and unit tests pass in-memory fakes without building adapters.
 */
export interface WorkerApp {
  config: Pick<Config, 'gogs' | 'timing' | 'policy'>;
  policy: SyncPolicy;
  clock: Clock;
  /** Where the alerts' log events go (src/app/telemetry.ts); console when absent. */
  log?: LogSink;
  gogs: GitServer;
  directory: DirectoryReader & {
    readUser(objectId: string, options?: ReadUserOptions): Promise<UserRead>;
  };
  /** Raw Graph paging, for the groups nested beneath each scope group. */
  graph: { items<T>(pathOrUrl: string): AsyncGenerator<T> };
  delta: { readRound(kind: DeltaKind, start: DeltaStart): Promise<DeltaRound> };
  subscriptions: { ensure(): Promise<SubscriptionOutcome[]>; rotate(): Promise<SubscriptionOutcome[]> };
  stores: {
    sync: SyncState & {
      leases: { withLease<T>(name: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> };
    };
    queue: Pick<ChangeQueue, 'enqueue' | 'sendToPoison'> & Partial<Pick<ChangeQueue, 'depth'>>;
    audit: Pick<AuditLog, 'write'>;
    cursors: Pick<CursorStore, 'get' | 'put' | 'remove'>;
    runs: Pick<RunStore, 'start' | 'finish'>;
    failures: Pick<FailureStore, 'record' | 'clear' | 'list'>;
    settings: Pick<SettingsStore, 'get' | 'getPrefixed' | 'set' | 'pauseState'>;
    groupSizes: Pick<GroupSizeStore, 'getMany' | 'put'>;
  };
}

/** Where the queue trigger found the message: the host's id and how often it was delivered. */
export interface MessageMeta {
  messageId: string;
  dequeueCount: number;
}
