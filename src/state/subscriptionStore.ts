import type { TableClient } from '@azure/data-tables';
import { readEntity, readPartition, safeKey, statusOf, storageCall } from './tableSupport.js';

/**
 * One Graph subscription of ours (DESIGN §3.4). A subscription is ours only if its id is here and
 * its URLs match. The clientState itself is a secret and never stored: only which version
 * (`current`/`previous` or a label the caller picks) it was created with.
 */
export interface SubscriptionRecord {
  id: string;
  resource: string;
  changeType: string;
  expiresAt: number;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientStateVersion: string;
  createdAt: number;
  renewedAt?: number;
}

const PARTITION = 'subscription';

/** The `subscriptions` table: one row per subscription id. */
export class SubscriptionStore {
  constructor(private readonly client: TableClient) {}

  async list(): Promise<SubscriptionRecord[]> {
    const rows = await readPartition<SubscriptionRecord>(this.client, PARTITION);
    return rows
      .map(toRecord)
      .sort((a, b) => a.resource.localeCompare(b.resource) || a.createdAt - b.createdAt);
  }

  async get(id: string): Promise<SubscriptionRecord | undefined> {
    const row = await readEntity<SubscriptionRecord>(this.client, PARTITION, safeKey(id));
    return row && toRecord(row);
  }

  async forResource(resource: string): Promise<SubscriptionRecord[]> {
    return (await this.list()).filter((record) => record.resource === resource);
  }

  async put(record: SubscriptionRecord): Promise<void> {
    await storageCall(`writing subscription ${record.id}`, () =>
      this.client.upsertEntity({ partitionKey: PARTITION, rowKey: safeKey(record.id), ...record }, 'Replace'),
    );
  }

  async remove(id: string): Promise<void> {
    await storageCall(`removing subscription ${id}`, async () => {
      try {
        await this.client.deleteEntity(PARTITION, safeKey(id));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }
}

function toRecord(row: SubscriptionRecord): SubscriptionRecord {
  return {
    id: row.id,
    resource: row.resource,
    changeType: row.changeType,
    expiresAt: row.expiresAt,
    notificationUrl: row.notificationUrl,
    lifecycleNotificationUrl: row.lifecycleNotificationUrl,
    clientStateVersion: row.clientStateVersion,
    createdAt: row.createdAt,
    ...(row.renewedAt === undefined ? {} : { renewedAt: row.renewedAt }),
  };
}
