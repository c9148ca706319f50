import type { StorageConfig } from '../config/index.js';
import { AuditLog } from './auditLog.js';
import { ChangeQueue } from './changeQueue.js';
import { CursorStore } from './cursorStore.js';
import { FailureStore } from './failureStore.js';
import { GroupSizeStore } from './groupSizeStore.js';
import { RunStore } from './runStore.js';
import { SettingsStore } from './settingsStore.js';
import { type StorageClientOptions, StorageClients } from './storageClients.js';
import { SubscriptionStore } from './subscriptionStore.js';
import { TableStateStore, type TableStateStoreOptions } from './tableStateStore.js';

/** Every store of DESIGN §4 over one storage account, built once per cold start. */
export interface StateStores {
  clients: StorageClients;
  /** The `SyncState` port: identities, events, leases, budget, held actions. */
  sync: TableStateStore;
  queue: ChangeQueue;
  audit: AuditLog;
  cursors: CursorStore;
  subscriptions: SubscriptionStore;
  runs: RunStore;
  failures: FailureStore;
  settings: SettingsStore;
  groupSizes: GroupSizeStore;
}

export function createStateStores(
  storage: StorageConfig,
  options: StorageClientOptions & TableStateStoreOptions = {},
): StateStores {
  const clients = new StorageClients(storage, options);
  return {
    clients,
    sync: new TableStateStore(clients, options),
    queue: new ChangeQueue(clients),
    audit: new AuditLog(clients),
    cursors: new CursorStore(clients.table('cursors')),
    subscriptions: new SubscriptionStore(clients.table('subscriptions')),
    runs: new RunStore(clients.table('runs')),
    failures: new FailureStore(clients.table('failures')),
    settings: new SettingsStore(clients.table('settings')),
    groupSizes: new GroupSizeStore(clients.table('groupSizes')),
  };
}
