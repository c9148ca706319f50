import type { TableClient } from '@azure/data-tables';
import { ConcurrencyError, type SettingsStore } from '../../state/index.js';
import { safeKey, statusOf, storageCall } from '../../state/tableSupport.js';
import type { CounterStore } from './webhookCounters.js';

/**
 * Settings rows that several instances update by read–modify–write (webhook counters, watchdog
 * claims): updates go through `SettingsStore.set` with the ETag read; the first write creates the
 * row only if it is still absent (a 409 is a lost race, as a 412 is), which `SettingsStore.set`
 * without an ETag (an upsert) can't promise. Same row shape as SettingsStore (src/state/README.md).
 */
export function settingsRows(settings: SettingsStore, table: TableClient): CounterStore {
  return {
    get: (name) => settings.get(name),
    set: async (name, value, etag) => {
      if (etag !== undefined) return settings.set(name, value, etag);
      const entity = { partitionKey: 'setting', rowKey: safeKey(name), value: JSON.stringify(value) };
      return storageCall(`creating setting ${name}`, async () => {
        try {
          return (await table.createEntity(entity)).etag ?? '*';
        } catch (error) {
          if (statusOf(error) === 409)
            throw new ConcurrencyError(`setting ${name} was created meanwhile`, { cause: error });
          throw error;
        }
      });
    },
  };
}
