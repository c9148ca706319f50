import type { ContainerClient } from '@azure/storage-blob';
import { type AuditRecord, AuditRecordSchema } from './auditRecord.js';
import { codeOf, statusOf, storageCall } from './tableSupport.js';
import { utcDay } from './utcDay.js';

/** An append block holds at most 4 MiB; stay well under it. */
const MAX_BLOCK_BYTES = 3 * 1024 * 1024;

/**
 * The append-only audit trail (DESIGN §4): JSON lines appended to a per-day append blob
 * `yyyy/mm/dd.jsonl` in the `audit` container, which Bicep puts under a time-based immutability
 * policy with protected append writes: the app can append, never alter. A blob is created when
 * missing and only ever appended to. An append blob takes 50,000 blocks; past that, the day goes
 * on in `yyyy/mm/dd.1.jsonl`, `.2.jsonl`…
 */
export class AuditBlob {
  /** The part currently appended to per day; starts at 0 each cold start and skips full parts. */
  readonly #parts = new Map<string, number>();

  constructor(private readonly container: ContainerClient) {}

  static blobName(day: string, part = 0): string {
    return `${day.replaceAll('-', '/')}${part === 0 ? '' : `.${part}`}.jsonl`;
  }

  /** Appends the records, one JSON line each, to the blob of each record's day. */
  async append(records: readonly AuditRecord[]): Promise<void> {
    const byDay = new Map<string, string[]>();
    for (const record of records) {
      const day = utcDay(record.appliedAt);
      byDay.set(day, [...(byDay.get(day) ?? []), `${JSON.stringify(record)}\n`]);
    }
    for (const [day, lines] of byDay) {
      for (const block of blocks(lines)) await this.#appendBlock(day, block);
    }
  }

  /** Every record of one UTC day (`yyyy-mm-dd`), in append order. */
  async read(day: string): Promise<AuditRecord[]> {
    const records: AuditRecord[] = [];
    for (let part = 0; ; part++) {
      const blob = this.container.getBlobClient(AuditBlob.blobName(day, part));
      const text = await storageCall(`reading ${blob.name}`, async () => {
        try {
          return (await blob.downloadToBuffer()).toString('utf8');
        } catch (error) {
          if (statusOf(error) === 404) return undefined;
          throw error;
        }
      });
      if (text === undefined) return records;
      for (const line of text.split('\n')) {
        if (line.trim()) records.push(AuditRecordSchema.parse(JSON.parse(line)));
      }
    }
  }

  async #appendBlock(day: string, block: Buffer): Promise<void> {
    for (;;) {
      const part = this.#parts.get(day) ?? 0;
      const blob = this.container.getAppendBlobClient(AuditBlob.blobName(day, part));
      const outcome = await storageCall(`appending to ${blob.name}`, async () => {
        try {
          await blob.appendBlock(block, block.byteLength);
          return 'appended';
        } catch (error) {
          if (statusOf(error) === 404) return 'missing';
          if (codeOf(error) === 'BlockCountExceedsLimit') return 'full';
          throw error;
        }
      });
      if (outcome === 'appended') return;
      if (outcome === 'full') this.#parts.set(day, part + 1);
      else await storageCall(`creating ${blob.name}`, () => blob.createIfNotExists());
    }
  }
}

function* blocks(lines: readonly string[]): Generator<Buffer> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    if (size + bytes.byteLength > MAX_BLOCK_BYTES && pending.length > 0) {
      yield Buffer.concat(pending);
      pending = [];
      size = 0;
    }
    pending.push(bytes);
    size += bytes.byteLength;
  }
  if (pending.length > 0) yield Buffer.concat(pending);
}
