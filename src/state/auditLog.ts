import { AuditBlob } from './auditBlob.js';
import type { AuditRecord } from './auditRecord.js';
import { AuditTable } from './auditTable.js';
import type { StorageClients } from './storageClients.js';

/**
 * Writes each audit record twice: a row in the `audit` table (queryable by day and user) and a
 * line in the day's append blob (the immutable evidence). Delivery is at least once: a retried
 * message may write a record again, never lose one.
 */
export class AuditLog {
  readonly table: AuditTable;
  readonly blob: AuditBlob;

  constructor(clients: StorageClients) {
    this.table = new AuditTable(clients.table('audit'));
    this.blob = new AuditBlob(clients.container('audit'));
  }

  async write(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    await Promise.all([this.blob.append(records), this.table.writeMany(records)]);
  }
}
