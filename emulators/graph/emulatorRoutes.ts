import type { Ctx, Emulator, Route } from './context.js';
import { GraphHttpError, parseJsonBody, sendEmpty, sendJson } from './http.js';
import { groupRow, userRow } from './shapes.js';
import { subscriptionJson } from './subscriptions.js';

function subscriptionOr404(em: Emulator, id: string) {
  const s = em.subscriptions.active().find((x) => x.id === id);
  if (!s) throw new GraphHttpError(404, 'ResourceNotFound', 'The object was not found.');
  return s;
}

function state(em: Emulator): unknown {
  const objects = [...em.directory.objects.values()];
  return {
    tenantId: em.directory.tenantId,
    domains: em.directory.domains,
    apps: em.tenant.apps.map((a) => ({ clientId: a.clientId, displayName: a.displayName, roles: a.roles })),
    users: objects.flatMap((o) => (o.kind === 'user' ? [userRow(o)] : [])),
    groups: objects.flatMap((o) => (o.kind === 'group' ? [{ ...groupRow(o), members: [...o.members] }] : [])),
    subscriptions: em.subscriptions.active().map((s) => subscriptionJson(em, s, false)),
    deliveries: em.delivery.log,
    droppedNotifications: em.delivery.dropped,
    changeSequence: em.directory.currentSeq,
    faults: {
      throttles: em.faults.throttles,
      delivery: em.faults.delivery,
      lagMs: em.directory.lagMs,
      timing: em.faults.timing,
      deltaExpiryStyle: em.faults.deltaExpiryStyle,
      deltaEmptyPages: em.faults.deltaEmptyPages,
      subscriptionCeiling: em.subscriptions.ceiling,
    },
  };
}

function setFaults(em: Emulator, ctx: Ctx): void {
  const body = parseJsonBody(ctx.body);
  if (body.delivery && typeof body.delivery === 'object') Object.assign(em.faults.delivery, body.delivery);
  if (body.timing && typeof body.timing === 'object') Object.assign(em.faults.timing, body.timing);
  if (typeof body.lagMs === 'number') em.directory.lagMs = body.lagMs;
  if (typeof body.deltaEmptyPages === 'number') em.faults.deltaEmptyPages = body.deltaEmptyPages;
  if (body.deltaExpiryStyle === 'resync' || body.deltaExpiryStyle === 'syncStateNotFound')
    em.faults.deltaExpiryStyle = body.deltaExpiryStyle;
  if (body.subscriptionCeiling === 'cap' || body.subscriptionCeiling === 'reject')
    em.subscriptions.ceiling = body.subscriptionCeiling;
  sendJson(ctx.res, 200, state(em));
}

/** Test-only control surface under /_emulator/ (no auth); product code never calls it. */
export function emulatorRoutes(em: Emulator): Route[] {
  const r = (method: string, template: string, handle: (ctx: Ctx) => Promise<void> | void): Route => ({
    method,
    template,
    auth: 'none',
    handle,
  });
  return [
    r('GET', '/_emulator/state', (ctx) => sendJson(ctx.res, 200, state(em))),
    r('GET', '/_emulator/calls', (ctx) => sendJson(ctx.res, 200, Object.fromEntries(em.calls))),
    r('DELETE', '/_emulator/calls', (ctx) => {
      em.calls.clear();
      sendEmpty(ctx.res, 204);
    }),
    r('GET', '/_emulator/deliveries', (ctx) =>
      sendJson(ctx.res, 200, { value: em.delivery.log, dropped: em.delivery.dropped }),
    ),
    r('POST', '/_emulator/reset', async (ctx) => {
      await em.reset();
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/faults', (ctx) => setFaults(em, ctx)),
    r('DELETE', '/_emulator/faults', (ctx) => {
      em.faults.clear();
      em.directory.lagMs = 0;
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/throttle', (ctx) => {
      const body = parseJsonBody(ctx.body);
      const retryAfter = body.retryAfter === undefined ? 1 : (body.retryAfter as number | null);
      const rule = {
        ...(typeof body.route === 'string' ? { route: body.route } : {}),
        ...(typeof body.count === 'number' ? { count: body.count } : {}),
        ...(typeof body.rate === 'number' ? { rate: body.rate } : {}),
        retryAfter,
      };
      if (rule.count === undefined && rule.rate === undefined) rule.count = 1;
      em.faults.throttles.push(rule);
      sendJson(ctx.res, 200, { throttles: em.faults.throttles });
    }),
    r('DELETE', '/_emulator/throttle', (ctx) => {
      em.faults.throttles = [];
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/lag', (ctx) => {
      const ms = parseJsonBody(ctx.body).ms;
      em.directory.lagMs = typeof ms === 'number' ? ms : 0;
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/delta/expire', (ctx) => {
      const body = parseJsonBody(ctx.body);
      if (body.style === 'resync' || body.style === 'syncStateNotFound')
        em.faults.deltaExpiryStyle = body.style;
      em.faults.deltaExpiredBefore = Date.now() + 1;
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/subscriptions/{id}/expire', (ctx) => {
      subscriptionOr404(em, ctx.params.id ?? '').expiresAt = Date.now() - 1;
      sendEmpty(ctx.res, 204);
    }),
    r('POST', '/_emulator/subscriptions/{id}/lifecycle', (ctx) => {
      const s = subscriptionOr404(em, ctx.params.id ?? '');
      const event = String(parseJsonBody(ctx.body).event ?? 'reauthorizationRequired');
      if (!em.delivery.lifecycle(s, event)) {
        throw new GraphHttpError(409, 'InvalidRequest', 'The subscription has no lifecycleNotificationUrl.');
      }
      if (event === 'subscriptionRemoved') em.subscriptions.items.delete(s.id);
      sendEmpty(ctx.res, 202);
    }),
  ];
}
