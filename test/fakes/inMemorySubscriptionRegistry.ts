import type { OwnSubscription, SubscriptionRegistry } from '../../src/graph/subscriptionRegistry.js';

/** The subscriptions table, in memory; `clear()` simulates lost state. */
export class InMemorySubscriptionRegistry implements SubscriptionRegistry {
  private readonly rows = new Map<string, OwnSubscription>();

  async list(): Promise<OwnSubscription[]> {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  async put(subscription: OwnSubscription): Promise<void> {
    this.rows.set(subscription.id, { ...subscription });
  }

  async remove(id: string): Promise<void> {
    this.rows.delete(id);
  }

  clear(): void {
    this.rows.clear();
  }

  ids(): string[] {
    return [...this.rows.keys()];
  }
}
