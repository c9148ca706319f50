import type { TableClient } from '@azure/data-tables';
import { readEntity, safeKey, storageCall } from './tableSupport.js';

/** The last known transitive member count of a mapped group, for the suspect-read rule (DESIGN §3.3). */
export interface GroupSize {
  groupId: string;
  members: number;
  at: number;
}

const PARTITION = 'group';

/** The `groupSizes` table: one row per mapped group. */
export class GroupSizeStore {
  constructor(private readonly client: TableClient) {}

  async get(groupId: string): Promise<GroupSize | undefined> {
    const row = await readEntity<GroupSize>(this.client, PARTITION, safeKey(groupId));
    return row && { groupId, members: row.members, at: row.at };
  }

  async getMany(groupIds: readonly string[]): Promise<Map<string, GroupSize>> {
    const sizes = await Promise.all(groupIds.map((id) => this.get(id)));
    return new Map(sizes.filter((size) => size !== undefined).map((size) => [size.groupId, size]));
  }

  async put(size: GroupSize): Promise<void> {
    const entity = { partitionKey: PARTITION, rowKey: safeKey(size.groupId), ...size };
    await storageCall(`writing group size ${size.groupId}`, () =>
      this.client.upsertEntity(entity, 'Replace'),
    );
  }
}
