import type { Secret } from '../config/index.js';
import type { Clock } from '../sync/ports.js';
import { GraphApiError } from './graphApiError.js';
import type { GraphClient } from './graphClient.js';
import type { OwnSubscription, SubscriptionRegistry } from './subscriptionRegistry.js';

export const SUBSCRIBED_RESOURCES = ['/users', '/groups'] as const;
// Creation, update and soft delete arrive as `updated`; only permanent deletion as `deleted` (spec §1).
const CHANGE_TYPE = 'updated,deleted';
// A margin under Graph's 41,760-minute ceiling for directory resources (DESIGN §3.4).
export const SUBSCRIPTION_LIFETIME_MIN = 41_700;
const MINUTE_MS = 60_000;

export interface SubscriptionSettings {
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  clientState: Secret;
  /** Recorded with each subscription so `status` can tell which secret it carries; default `current`. */
  clientStateVersion?: string;
}

export type SubscriptionOutcome = {
  resource: string;
  id: string;
  expirationDateTime: string;
} & (
  | { outcome: 'created' | 'renewed' }
  /** Renewal answered 404 (expired or removed): a new one was created. */
  | { outcome: 'recreated'; replacedId: string }
  /** Recreated with the current clientState. */
  | { outcome: 'rotated'; replacedId: string }
  /** Create answered 409: a subscription not ours held the slot and was deleted. Audit it, catch up. */
  | { outcome: 'takenOver'; replacedId: string }
);

export interface ListedSubscription {
  id: string;
  resource: string;
  changeType: string;
  /** Query values redacted: the notification URL carries the function key. */
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationDateTime: string;
  ours: boolean;
}

interface GraphSubscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string | null;
  expirationDateTime: string;
}

/**
 * Keeps one `/users` and one `/groups` subscription of ours alive (DESIGN §3.4). Ours means: the id
 * is in the registry and both URLs are the configured ones. Renewal pushes expiry to now + 41,700
 * minutes; 404 on renewal recreates; 409 on create deletes the squatter and takes over.
 */
export class SubscriptionManager {
  constructor(
    private readonly graph: GraphClient,
    private readonly registry: SubscriptionRegistry,
    private readonly clock: Clock,
    private readonly settings: SubscriptionSettings,
  ) {}

  /** Renews ours or creates what is missing; one outcome per resource. */
  async ensure(): Promise<SubscriptionOutcome[]> {
    const outcomes: SubscriptionOutcome[] = [];
    for (const resource of SUBSCRIBED_RESOURCES) {
      const ours = await this.oursFor(resource);
      outcomes.push(ours ? await this.renew(ours) : await this.create(resource));
    }
    return outcomes;
  }

  /** After `GRAPH_CLIENT_STATE` changed: recreate each subscription (the only way to change clientState). */
  async rotate(): Promise<SubscriptionOutcome[]> {
    const outcomes: SubscriptionOutcome[] = [];
    for (const resource of SUBSCRIBED_RESOURCES) {
      const ours = await this.oursFor(resource);
      if (!ours) {
        outcomes.push(await this.create(resource));
        continue;
      }
      await this.deleteOnGraph(ours.id);
      await this.registry.remove(ours.id);
      const created = await this.create(resource);
      outcomes.push(
        created.outcome === 'takenOver' ? created : { ...created, outcome: 'rotated', replacedId: ours.id },
      );
    }
    return outcomes;
  }

  /** The app's subscriptions on Graph (Graph lists `clientState: null`), marked ours or not. */
  async list(): Promise<ListedSubscription[]> {
    const registered = await this.registry.list();
    const listed: ListedSubscription[] = [];
    for await (const s of this.graph.items<GraphSubscription>('/subscriptions')) {
      const own = registered.find((r) => r.id === s.id);
      listed.push({
        id: s.id,
        resource: s.resource,
        changeType: s.changeType,
        notificationUrl: redactQuery(s.notificationUrl),
        lifecycleNotificationUrl: s.lifecycleNotificationUrl ? redactQuery(s.lifecycleNotificationUrl) : null,
        expirationDateTime: s.expirationDateTime,
        ours: own !== undefined && this.urlsAreOurs(s),
      });
    }
    return listed;
  }

  /** The registered subscription for a resource if its URLs are still ours; strays are dropped. */
  private async oursFor(resource: string): Promise<OwnSubscription | undefined> {
    const registered = (await this.registry.list()).filter((s) => sameResource(s.resource, resource));
    let keep: OwnSubscription | undefined;
    for (const s of registered) {
      if (!keep && this.urlsAreOurs(s)) {
        keep = s;
        continue;
      }
      // Another URL (a moved app) or a duplicate: no longer ours. A live one is removed by the 409 path.
      if (this.urlsAreOurs(s)) await this.deleteOnGraph(s.id);
      await this.registry.remove(s.id);
    }
    return keep;
  }

  private async renew(ours: OwnSubscription): Promise<SubscriptionOutcome> {
    try {
      const renewed = await this.graph.request<GraphSubscription>('PATCH', `/subscriptions/${ours.id}`, {
        body: { expirationDateTime: this.expiry() },
      });
      await this.registry.put({
        ...ours,
        expiresAt: Date.parse(renewed.expirationDateTime),
        renewedAt: this.clock.now(),
      });
      return {
        resource: ours.resource,
        id: ours.id,
        expirationDateTime: renewed.expirationDateTime,
        outcome: 'renewed',
      };
    } catch (error) {
      // 404: expired or removed, renewing keeps failing (spec §2). 403: another app's id in our table.
      if (!(error instanceof GraphApiError && (error.status === 404 || error.status === 403))) throw error;
    }
    await this.registry.remove(ours.id);
    const created = await this.create(ours.resource);
    return created.outcome === 'takenOver'
      ? created
      : { ...created, outcome: 'recreated', replacedId: ours.id };
  }

  private async create(resource: string): Promise<SubscriptionOutcome> {
    try {
      const sub = await this.post(resource);
      return { resource, id: sub.id, expirationDateTime: sub.expirationDateTime, outcome: 'created' };
    } catch (error) {
      if (!(error instanceof GraphApiError && error.status === 409)) throw error;
      const squatter = await this.findConflict(resource, error);
      // A concurrent run may have just created and recorded it: then it is ours after all.
      const ours = (await this.registry.list()).find((s) => s.id === squatter && this.urlsAreOurs(s));
      if (ours) return this.renew(ours);
      await this.deleteOnGraph(squatter);
      await this.registry.remove(squatter);
      const sub = await this.post(resource);
      return {
        resource,
        id: sub.id,
        expirationDateTime: sub.expirationDateTime,
        outcome: 'takenOver',
        replacedId: squatter,
      };
    }
  }

  private async post(resource: string): Promise<GraphSubscription> {
    const body = (expirationDateTime: string) => ({
      changeType: CHANGE_TYPE,
      notificationUrl: this.settings.notificationUrl,
      // Optional for users/groups (spec §1); it can only be set at creation, so send it whenever known.
      ...(this.settings.lifecycleNotificationUrl
        ? { lifecycleNotificationUrl: this.settings.lifecycleNotificationUrl }
        : {}),
      resource,
      expirationDateTime,
      clientState: this.settings.clientState.reveal(),
      latestSupportedTlsVersion: 'v1_2',
    });
    let sub: GraphSubscription;
    try {
      sub = await this.graph.request<GraphSubscription>('POST', '/subscriptions', {
        body: body(this.expiry()),
      });
    } catch (error) {
      // Graph may enforce a lower ceiling ("…can only be N minutes in the future", spec §1): ask for that.
      const ceiling =
        error instanceof GraphApiError ? /can only be (\d+) minutes/i.exec(error.graphMessage) : null;
      if (!ceiling?.[1] || Number(ceiling[1]) <= 5) throw error;
      sub = await this.graph.request<GraphSubscription>('POST', '/subscriptions', {
        body: body(this.expiry(Number(ceiling[1]) - 5)),
      });
    }
    await this.registry.put({
      id: sub.id,
      resource,
      changeType: CHANGE_TYPE,
      expiresAt: Date.parse(sub.expirationDateTime),
      notificationUrl: this.settings.notificationUrl,
      lifecycleNotificationUrl: this.settings.lifecycleNotificationUrl,
      clientStateVersion: this.settings.clientStateVersion ?? 'current',
      createdAt: this.clock.now(),
    });
    return sub;
  }

  /** The id Graph's 409 names, if listed; else the listed subscription on the same resource and change types. */
  private async findConflict(resource: string, conflict: GraphApiError): Promise<string> {
    const named = /Subscription Id ([0-9a-f-]{36})/i.exec(conflict.graphMessage)?.[1]?.toLowerCase();
    let sameSlot: string | undefined;
    for await (const s of this.graph.items<GraphSubscription>('/subscriptions')) {
      if (named && s.id.toLowerCase() === named) return s.id;
      if (sameResource(s.resource, resource) && sameChangeTypes(s.changeType, CHANGE_TYPE)) sameSlot ??= s.id;
    }
    if (sameSlot) return sameSlot;
    throw conflict;
  }

  private async deleteOnGraph(id: string): Promise<void> {
    try {
      await this.graph.request('DELETE', `/subscriptions/${id}`);
    } catch (error) {
      if (!(error instanceof GraphApiError && error.status === 404)) throw error;
    }
  }

  private urlsAreOurs(s: { notificationUrl: string; lifecycleNotificationUrl?: string | null }): boolean {
    return (
      sameUrl(s.notificationUrl, this.settings.notificationUrl) &&
      sameUrl(s.lifecycleNotificationUrl ?? '', this.settings.lifecycleNotificationUrl)
    );
  }

  private expiry(minutes = SUBSCRIPTION_LIFETIME_MIN): string {
    return new Date(this.clock.now() + minutes * MINUTE_MS).toISOString();
  }
}

function sameResource(a: string, b: string): boolean {
  const norm = (r: string) => r.replace(/^\/+/, '').replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}

function sameChangeTypes(a: string, b: string): boolean {
  const norm = (c: string) =>
    c
      .split(',')
      .map((x) => x.trim().toLowerCase())
      .sort()
      .join(',');
  return norm(a) === norm(b);
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return a === b;
  }
}

function redactQuery(url: string): string {
  try {
    const u = new URL(url);
    for (const key of [...u.searchParams.keys()]) u.searchParams.set(key, '***');
    return u.href;
  } catch {
    return url;
  }
}
