import type { TableClient } from '@azure/data-tables';
import { readEntity, retryOnConflict } from './tableSupport.js';

interface BudgetRow {
  /** JSON array of the draw times (epoch ms) still inside the window. */
  draws: string;
}

const PARTITION = 'budget';

/**
 * The deprovision budget (DESIGN §3.3): one row holding the recent draw times, shared by every
 * worker, events and reconciles alike. A draw reads the row, counts the draws inside the window
 * and writes the row back with the ETag it read; a lost race (412/409) reads again, so concurrent
 * draws never overspend. A refusal writes nothing.
 */
export class TableBudget {
  constructor(
    private readonly client: TableClient,
    private readonly name = 'deprovision',
  ) {}

  async draw(at: number, limit: number, windowMs: number): Promise<boolean> {
    return retryOnConflict(`drawing from the ${this.name} budget`, async () => {
      const row = await readEntity<BudgetRow>(this.client, PARTITION, this.name);
      const recent = parseDraws(row?.draws).filter((t) => t > at - windowMs);
      if (recent.length >= limit) return false;
      // A row property holds 32K characters: about 2,000 draws, far above any sane budget.
      const entity = { partitionKey: PARTITION, rowKey: this.name, draws: JSON.stringify([...recent, at]) };
      if (row) await this.client.updateEntity(entity, 'Replace', { etag: row.etag });
      else await this.client.createEntity(entity);
      return true;
    });
  }

  /** Draws inside the window ending at `at`, for `status` (`guard: tripped` when ≥ limit). */
  async used(at: number, windowMs: number): Promise<number> {
    const row = await readEntity<BudgetRow>(this.client, PARTITION, this.name);
    return parseDraws(row?.draws).filter((t) => t > at - windowMs).length;
  }
}

function parseDraws(text: string | undefined): number[] {
  if (!text) return [];
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((t): t is number => typeof t === 'number') : [];
}
