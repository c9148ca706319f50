import type { IdentityRecord, ObjectId, ObjectKey } from '../../src/domain/types.js';
import type { HeldAction, SyncState } from '../../src/sync/ports.js';

/** `SyncState` in memory, with the semantics the table store must have: max-only event marks,
 * one lease holder per key, a sliding-window budget shared by every caller. */
export class InMemorySyncState implements SyncState {
  readonly identities = new Map<ObjectId, IdentityRecord>();
  readonly events = new Map<ObjectKey, number>();
  readonly held: HeldAction[] = [];
  readonly draws: number[] = [];
  private readonly leases = new Map<ObjectKey, Promise<unknown>>();

  async listIdentities(): Promise<IdentityRecord[]> {
    return [...this.identities.values()].map((record) => structuredClone(record));
  }

  async getIdentity(objectId: ObjectId): Promise<IdentityRecord | undefined> {
    const record = this.identities.get(objectId);
    return record && structuredClone(record);
  }

  async putIdentity(record: IdentityRecord): Promise<void> {
    const existing = this.identities.get(record.objectId);
    if (existing && !existing.pending && existing.username !== record.username) {
      throw new Error(`identity ${record.objectId} is ${existing.username} forever, not ${record.username}`);
    }
    this.identities.set(record.objectId, structuredClone(record));
  }

  async lastEventAt(key: ObjectKey): Promise<number | undefined> {
    return this.events.get(key);
  }

  async markEvent(key: ObjectKey, at: number): Promise<void> {
    this.events.set(key, Math.max(at, this.events.get(key) ?? Number.NEGATIVE_INFINITY));
  }

  async withLease<T>(key: ObjectKey, work: () => Promise<T>): Promise<T> {
    const previous = this.leases.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.leases.set(
      key,
      run.catch(() => undefined),
    );
    return run;
  }

  async drawBudget(at: number, limit: number, windowMs: number): Promise<boolean> {
    const recent = this.draws.filter((t) => t > at - windowMs);
    if (recent.length >= limit) return false;
    this.draws.push(at);
    return true;
  }

  async hold(held: HeldAction): Promise<void> {
    this.held.push(structuredClone(held));
  }
}
