/**
 * A subscription this deployment created, as the state layer records it (DESIGN §3.4, §4). The
 * fields match `src/state`'s `SubscriptionRecord`, so its `SubscriptionStore` is the registry as is.
 */
export interface OwnSubscription {
  id: string;
  /** `/users` or `/groups`. */
  resource: string;
  changeType: string;
  /** Epoch ms, from the expiry Graph answered with. */
  expiresAt: number;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  /** Which clientState it was created with (a label, never the secret): `current` by default. */
  clientStateVersion: string;
  createdAt: number;
  renewedAt?: number;
}

/**
 * Where our subscription ids live: the subscriptions table (`SubscriptionStore`), or
 * `InMemorySubscriptionRegistry` in tests. A subscription is *ours* only if its id is here.
 */
export interface SubscriptionRegistry {
  list(): Promise<OwnSubscription[]>;
  /** Insert or replace by id. */
  put(subscription: OwnSubscription): Promise<void>;
  /** Idempotent. */
  remove(id: string): Promise<void>;
}
