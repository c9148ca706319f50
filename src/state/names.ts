/** Every table, queue and container the app uses (DESIGN §4). */
export interface StorageNames {
  readonly tables: {
    readonly identities: string;
    /** `lastEventAt` per user or group key (snapshot fencing, DESIGN §3.3). */
    readonly events: string;
    readonly cursors: string;
    readonly subscriptions: string;
    readonly leases: string;
    readonly budget: string;
    readonly held: string;
    readonly runs: string;
    readonly audit: string;
    readonly failures: string;
    readonly settings: string;
    readonly groupSizes: string;
  };
  readonly queues: { readonly changes: string; readonly poison: string };
  readonly containers: { readonly audit: string };
}

export type TableName = keyof StorageNames['tables'];

/** The production names; the queue name is bound by the `applyChanges` trigger. */
export const STORAGE_NAMES: StorageNames = {
  tables: {
    identities: 'identities',
    events: 'events',
    cursors: 'cursors',
    subscriptions: 'subscriptions',
    leases: 'leases',
    budget: 'budget',
    held: 'held',
    runs: 'runs',
    audit: 'audit',
    failures: 'failures',
    settings: 'settings',
    groupSizes: 'groupSizes',
  },
  queues: { changes: 'graph-changes', poison: 'graph-changes-poison' },
  containers: { audit: 'audit' },
};

/**
 * The same names behind a prefix (lower-case letters and digits, starting with a letter), so
 * several isolated stores can share one storage account, e.g. one per test.
 */
export function prefixedStorageNames(prefix: string): StorageNames {
  if (!/^[a-z][a-z0-9]{0,19}$/.test(prefix)) {
    throw new Error('a storage name prefix is 1–20 lower-case letters and digits, starting with a letter');
  }
  const tables = Object.fromEntries(
    Object.entries(STORAGE_NAMES.tables).map(([key, name]) => [key, `${prefix}${name}`]),
  ) as unknown as StorageNames['tables'];
  return {
    tables,
    queues: {
      changes: `${prefix}-${STORAGE_NAMES.queues.changes}`,
      poison: `${prefix}-${STORAGE_NAMES.queues.poison}`,
    },
    containers: { audit: `${prefix}-${STORAGE_NAMES.containers.audit}` },
  };
}
