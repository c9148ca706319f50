import { ConcurrencyError } from '../../state/index.js';
import { errorCode, gogsRecovered, gogsUnreachable } from '../telemetry.js';
import { enqueueFollowUp, type FlowContext } from './flowContext.js';
import type { WorkerApp } from './workerApp.js';

/** `settings` row: `{since}` while Gogs keeps failing, `null` once it answers again. */
export const GOGS_FAILING_SINCE = 'gogsFailingSince';
/** An outage longer than this ends with a full reconcile (DESIGN §3.2). */
export const GOGS_OUTAGE_MS = 5 * 60_000;

/**
 * Remembers when Gogs started failing, so that its first success after an outage of more than five
 * minutes enqueues a reconcile: events retried past the outage converge on their own, but anything
 * planned and dropped meanwhile (held leases, skipped prerequisites) is caught by the reconcile.
 */
export class GogsHealth {
  constructor(private readonly app: WorkerApp) {}

  /**
   * Records a failure. Once Gogs has failed for GOGS_OUTAGE_MS, reports `sync.gogsUnreachable`,
   * then at most once per GOGS_OUTAGE_MS while it lasts (the ETag makes one worker the reporter).
   */
  async failed(error?: unknown): Promise<void> {
    const stored = await this.app.stores.settings.get(GOGS_FAILING_SINCE);
    const since = sinceOf(stored?.value);
    const now = this.app.clock.now();
    if (since === undefined) {
      await this.write({ since: now }, stored?.etag);
      return;
    }
    const reportedAt = reportedAtOf(stored?.value);
    if (now - since < GOGS_OUTAGE_MS || (reportedAt !== undefined && now - reportedAt < GOGS_OUTAGE_MS))
      return;
    if (!(await this.write({ since, reportedAt: now }, stored?.etag))) return;
    gogsUnreachable(this.app.log ?? console, {
      since,
      failingForSeconds: Math.round((now - since) / 1000),
      lastError: errorCode(error),
    });
  }

  /** Clears the outage; true when it lasted long enough that a reconcile was enqueued. */
  async succeeded(ctx: FlowContext): Promise<boolean> {
    const stored = await this.app.stores.settings.get(GOGS_FAILING_SINCE);
    const since = sinceOf(stored?.value);
    if (since === undefined) return false;
    // With the ETag: of several workers succeeding at once, one clears it and enqueues.
    if (!(await this.write(null, stored?.etag))) return false;
    const lasted = this.app.clock.now() - since;
    if (lasted <= GOGS_OUTAGE_MS) return false;
    gogsRecovered(this.app.log ?? console, { since, downForSeconds: Math.round(lasted / 1000) });
    await enqueueFollowUp(ctx, {
      kind: 'reconcile',
      reason: `Gogs answered again after failing for ${Math.round(lasted / 1000)} s`,
    });
    return true;
  }

  private async write(
    value: { since: number; reportedAt?: number } | null,
    etag: string | undefined,
  ): Promise<boolean> {
    try {
      await this.app.stores.settings.set(GOGS_FAILING_SINCE, value, etag);
      return true;
    } catch (error) {
      if (error instanceof ConcurrencyError) return false;
      throw error;
    }
  }
}

function reportedAtOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('reportedAt' in value)) return undefined;
  return typeof value.reportedAt === 'number' ? value.reportedAt : undefined;
}

function sinceOf(value: unknown): number | undefined {
  if (typeof value !== 'object' || value === null || !('since' in value)) return undefined;
  return typeof value.since === 'number' ? value.since : undefined;
}
