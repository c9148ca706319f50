import { randomUUID } from 'node:crypto';
import { type Ctx, type Emulator, ROLES, type Route } from './context.js';
import { GraphHttpError, graphDateTime, parseJsonBody, sendEmpty, sendJson } from './http.js';
import { isLoopbackUrl, validateEndpoint } from './outbound.js';
import type { AppPrincipal } from './types.js';

export interface Subscription {
  id: string;
  resource: string;
  changeType: string[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expiresAt: number;
  clientState: string | null;
  applicationId: string;
  creatorId: string;
  latestSupportedTlsVersion: string;
}

const MINUTE = 60_000;
export const MIN_LIFETIME_MIN = 45;
export const MAX_LIFETIME_MIN = 41_760;
const QUOTA_PER_APP = 100;
const CHANGE_TYPES = ['created', 'updated', 'deleted'];
const GUID = '[0-9a-fA-F-]{36}';
const RESOURCE_FORMS = [
  /^users$/,
  new RegExp(`^users/${GUID}$`),
  /^groups$/,
  new RegExp(`^groups/${GUID}(/members|/owners)?$`),
];

/** `/users`, `users`, `/v1.0/Users/{id}` → `users`, `users/{id}` (lower case). */
export function normalizeResource(resource: string): string {
  return resource
    .replace(/^\/+/, '')
    .replace(/^v1\.0\//i, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function invalid(message: string): GraphHttpError {
  return new GraphHttpError(400, 'InvalidRequest', message);
}

function notFoundSub(): GraphHttpError {
  return new GraphHttpError(404, 'ResourceNotFound', 'The object was not found.');
}

/** Subscriptions of one emulator instance, with Graph's create/renew rules (spec §1–§2). */
export class SubscriptionStore {
  readonly items = new Map<string, Subscription>();
  /** 'reject' (400, like Graph's ExtensionError for other resources) or 'cap' at the maximum. */
  ceiling: 'reject' | 'cap' = 'reject';

  active(): Subscription[] {
    const now = Date.now();
    for (const [id, s] of this.items) if (s.expiresAt <= now) this.items.delete(id);
    return [...this.items.values()];
  }

  clear(): void {
    this.items.clear();
  }

  owned(app: AppPrincipal, id: string): Subscription {
    const s = this.active().find((x) => x.id === id);
    if (!s) throw notFoundSub();
    if (s.applicationId !== app.clientId) {
      throw new GraphHttpError(
        403,
        'ExtensionError',
        'Operation not permitted: the subscription was created by another application.',
      );
    }
    return s;
  }

  expiry(raw: unknown): number {
    const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(at)) throw invalid("Invalid value specified for property 'expirationDateTime'.");
    const now = Date.now();
    if (at <= now) throw invalid('Subscription expiration must be in the future.');
    // Under 45 minutes is silently raised (spec §1).
    if (at < now + MIN_LIFETIME_MIN * MINUTE) return now + MIN_LIFETIME_MIN * MINUTE;
    if (at > now + MAX_LIFETIME_MIN * MINUTE) {
      if (this.ceiling === 'cap') return now + MAX_LIFETIME_MIN * MINUTE;
      throw new GraphHttpError(
        400,
        'ExtensionError',
        `Subscription expiration can only be ${MAX_LIFETIME_MIN} minutes in the future.`,
      );
    }
    return at;
  }
}

export function subscriptionJson(
  em: Emulator,
  s: Subscription,
  withContext: boolean,
  hideClientState = false,
): Record<string, unknown> {
  return {
    ...(withContext ? { '@odata.context': `${em.baseUrl}/v1.0/$metadata#subscriptions/$entity` } : {}),
    id: s.id,
    resource: s.resource,
    applicationId: s.applicationId,
    changeType: s.changeType.join(','),
    clientState: hideClientState ? null : s.clientState,
    notificationUrl: s.notificationUrl,
    notificationQueryOptions: null,
    lifecycleNotificationUrl: s.lifecycleNotificationUrl,
    expirationDateTime: graphDateTime(s.expiresAt),
    creatorId: s.creatorId,
    includeResourceData: false,
    latestSupportedTlsVersion: s.latestSupportedTlsVersion,
    encryptionCertificate: null,
    encryptionCertificateId: null,
    notificationUrlAppId: null,
  };
}

function checkUrl(raw: unknown, field: string): string {
  if (typeof raw !== 'string' || raw === '')
    throw invalid(`Invalid value specified for property '${field}'.`);
  if (/^(EventHub|EventGrid):/i.test(raw))
    throw invalid(`The emulator does not support ${raw.split(':')[0]} delivery.`);
  if (!isLoopbackUrl(raw)) {
    // Graph requires https; the emulator also allows http, and only loopback targets (docs/emulators.md).
    throw invalid(`${field} must be an https URL (the emulator accepts only loopback http(s) URLs).`);
  }
  return raw;
}

function neededRoles(resource: string): string[] {
  return resource.startsWith('users')
    ? ROLES.userRead
    : ROLES.groupRead.filter((r) => !r.startsWith('GroupMember.'));
}

async function handshake(em: Emulator, url: string): Promise<void> {
  const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
  if (!(await validateEndpoint(url, em.faults.timing.validationTimeoutMs, token))) {
    throw invalid(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  }
}

async function create(em: Emulator, ctx: Ctx, app: AppPrincipal): Promise<void> {
  const body = parseJsonBody(ctx.body);
  const store = em.subscriptions;
  const changeType = String(body.changeType ?? '')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
  if (changeType.length === 0 || changeType.some((c) => !CHANGE_TYPES.includes(c)))
    throw invalid("Invalid value specified for property 'changeType'.");
  const resource = normalizeResource(String(body.resource ?? ''));
  if (!RESOURCE_FORMS.some((r) => r.test(resource)))
    throw invalid(`Resource '${String(body.resource)}' is not supported.`);
  if (!app.roles.some((r) => neededRoles(resource).includes(r)))
    throw new GraphHttpError(
      403,
      'ExtensionError',
      'Operation: Create; Exception: [Status Code: Forbidden; Reason: Insufficient privileges to complete the operation.]',
    );
  const notificationUrl = checkUrl(body.notificationUrl, 'notificationUrl');
  const lifecycleUrl =
    body.lifecycleNotificationUrl == null
      ? null
      : checkUrl(body.lifecycleNotificationUrl, 'lifecycleNotificationUrl');
  const clientState = body.clientState == null ? null : String(body.clientState);
  if (clientState !== null && clientState.length > 128)
    throw invalid('clientState must not exceed 128 characters.');
  if (body.includeResourceData === true)
    throw invalid('Rich notifications are not supported for this resource.');
  const expiresAt = store.expiry(body.expirationDateTime);
  const mine = store.active().filter((s) => s.applicationId === app.clientId);
  if (mine.length >= QUOTA_PER_APP) {
    throw new GraphHttpError(
      403,
      'ExtensionError',
      `Subscription quota exceeded: at most ${QUOTA_PER_APP} directory subscriptions per application and tenant.`,
    );
  }
  const key = [...changeType].sort().join(',');
  const dup = mine.find(
    (s) =>
      normalizeResource(s.resource) === resource.toLowerCase() && [...s.changeType].sort().join(',') === key,
  );
  if (dup)
    throw new GraphHttpError(
      409,
      'ExtensionError',
      `Subscription Id ${dup.id} already exists for the requested combination`,
    );
  await handshake(em, notificationUrl);
  if (lifecycleUrl) await handshake(em, lifecycleUrl);
  const sub: Subscription = {
    id: randomUUID(),
    resource: String(body.resource),
    changeType,
    notificationUrl,
    lifecycleNotificationUrl: lifecycleUrl,
    expiresAt,
    clientState,
    applicationId: app.clientId,
    creatorId: app.objectId,
    latestSupportedTlsVersion:
      typeof body.latestSupportedTlsVersion === 'string' ? body.latestSupportedTlsVersion : 'v1_2',
  };
  store.items.set(sub.id, sub);
  sendJson(ctx.res, 201, subscriptionJson(em, sub, true));
}

async function renew(em: Emulator, ctx: Ctx, app: AppPrincipal): Promise<void> {
  const s = em.subscriptions.owned(app, ctx.params.id ?? '');
  const body = parseJsonBody(ctx.body);
  if (body.expirationDateTime === undefined && body.notificationUrl === undefined)
    throw invalid('The request must contain expirationDateTime or notificationUrl.');
  if (body.lifecycleNotificationUrl !== undefined)
    throw invalid('lifecycleNotificationUrl can only be set at creation.');
  const expiresAt =
    body.expirationDateTime === undefined ? s.expiresAt : em.subscriptions.expiry(body.expirationDateTime);
  if (body.notificationUrl !== undefined) {
    const url = checkUrl(body.notificationUrl, 'notificationUrl');
    await handshake(em, url);
    s.notificationUrl = url;
  }
  s.expiresAt = expiresAt;
  sendJson(ctx.res, 200, subscriptionJson(em, s, true));
}

export function subscriptionRoutes(em: Emulator): Route[] {
  const r = (
    method: string,
    template: string,
    handle: (ctx: Ctx, app: AppPrincipal) => Promise<void> | void,
  ): Route => ({
    method,
    template,
    auth: 'graph',
    roles: ROLES.any,
    handle: (ctx) => handle(ctx, ctx.app as AppPrincipal),
  });
  return [
    r('POST', '/v1.0/subscriptions', (ctx, app) => create(em, ctx, app)),
    r('GET', '/v1.0/subscriptions', (ctx, app) => {
      const mine = em.subscriptions.active().filter((s) => s.applicationId === app.clientId);
      sendJson(ctx.res, 200, {
        '@odata.context': `${em.baseUrl}/v1.0/$metadata#subscriptions`,
        // clientState is never returned by list (spec §2).
        value: mine.map((s) => subscriptionJson(em, s, false, true)),
      });
    }),
    r('GET', '/v1.0/subscriptions/{id}', (ctx, app) => {
      sendJson(ctx.res, 200, subscriptionJson(em, em.subscriptions.owned(app, ctx.params.id ?? ''), true));
    }),
    r('PATCH', '/v1.0/subscriptions/{id}', (ctx, app) => renew(em, ctx, app)),
    r('POST', '/v1.0/subscriptions/{id}/reauthorize', (ctx, app) => {
      em.subscriptions.owned(app, ctx.params.id ?? '');
      sendEmpty(ctx.res, 204);
    }),
    r('DELETE', '/v1.0/subscriptions/{id}', (ctx, app) => {
      const s = em.subscriptions.owned(app, ctx.params.id ?? '');
      em.subscriptions.items.delete(s.id);
      sendEmpty(ctx.res, 204);
    }),
  ];
}
