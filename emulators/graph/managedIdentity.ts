import type { Ctx, Emulator, Route } from './context.js';
import type { Entra } from './entra.js';
import { safeEqual, sendJson } from './http.js';

type Form = 'appService' | 'imds';

async function handle(em: Emulator, entra: Entra, ctx: Ctx, form: Form): Promise<void> {
  const q = ctx.url.searchParams;
  const secretOk =
    form === 'imds'
      ? ctx.req.headers.metadata === 'true'
      : safeEqual(String(ctx.req.headers['x-identity-header'] ?? ''), em.faults.identityHeader);
  if (!secretOk) {
    sendJson(ctx.res, form === 'imds' ? 400 : 401, {
      error: 'invalid_request',
      error_description:
        form === 'imds' ? 'Required metadata header not specified' : 'Invalid X-IDENTITY-HEADER.',
    });
    return;
  }
  const resource = q.get('resource') ?? '';
  const audience = entra.audienceFor(em, resource);
  if (!q.get('api-version') || !audience) {
    sendJson(ctx.res, 400, {
      error: 'invalid_resource',
      error_description: `Invalid resource '${resource}'.`,
    });
    return;
  }
  const mi = em.tenant.managedIdentity;
  const { token, exp } = await entra.issue(em, mi, audience);
  // App Service answers expires_on as epoch seconds in a string (spec §9).
  sendJson(ctx.res, 200, {
    access_token: token,
    expires_on: String(exp),
    resource,
    token_type: 'Bearer',
    client_id: mi.clientId,
  });
}

/** Managed identity token endpoints: App Service/Functions (IDENTITY_ENDPOINT + X-IDENTITY-HEADER, as MSAL Node calls it) and IMDS. */
export function managedIdentityRoutes(em: Emulator, entra: Entra): Route[] {
  return [
    {
      method: 'GET',
      template: '/msi/token',
      auth: 'none',
      handle: (ctx) => handle(em, entra, ctx, 'appService'),
    },
    {
      method: 'GET',
      template: '/metadata/identity/oauth2/token',
      auth: 'none',
      handle: (ctx) => handle(em, entra, ctx, 'imds'),
    },
  ];
}
