import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Ctx, Emulator, Route } from './context.js';
import { safeEqual, sendJson } from './http.js';
import { managedIdentityRoutes } from './managedIdentity.js';
import type { AppPrincipal } from './types.js';

const GRAPH_RESOURCE = 'https://graph.microsoft.com';
const TOKEN_LIFETIME_S = 3599;

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

export interface TokenClaims extends JWTPayload {
  roles?: string[];
  tid?: string;
  appid?: string;
}

/** Entra ID (v2 endpoints) for one tenant: metadata, client credentials, JWKS, managed identity. */
export class Entra {
  private constructor(
    private readonly keys: KeyPair,
    private readonly jwk: JWK,
    readonly kid: string,
  ) {}

  static async create(): Promise<Entra> {
    const keys = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID().replace(/-/g, '');
    const jwk = { ...(await exportJWK(keys.publicKey)), kid, use: 'sig', alg: 'RS256' };
    return new Entra(keys, jwk, kid);
  }

  issuer(em: Emulator): string {
    return `${em.baseUrl}/${em.directory.tenantId}/v2.0`;
  }

  /** Accepted audiences: Graph's own and the emulator's URL (a client that points scopes at the emulator). */
  audiences(em: Emulator): string[] {
    return [GRAPH_RESOURCE, em.baseUrl];
  }

  async issue(em: Emulator, app: AppPrincipal, audience: string): Promise<{ token: string; exp: number }> {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + TOKEN_LIFETIME_S;
    const token = await new SignJWT({
      roles: app.roles,
      tid: em.directory.tenantId,
      appid: app.clientId,
      azp: app.clientId,
      oid: app.objectId,
      sub: app.objectId,
      idtyp: 'app',
      app_displayname: app.displayName,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuer(em))
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - 300)
      .setExpirationTime(exp)
      .setJti(randomUUID())
      .sign(this.keys.privateKey);
    return { token, exp };
  }

  /** Verifies a bearer token; returns the claims or a reason for Graph's 401 message. */
  async verify(em: Emulator, token: string): Promise<TokenClaims | string> {
    try {
      const { payload } = await jwtVerify<TokenClaims>(token, this.keys.publicKey, {
        issuer: this.issuer(em),
        audience: this.audiences(em),
        algorithms: ['RS256'],
      });
      return payload;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWT_EXPIRED') return 'Lifetime validation failed, the token is expired.';
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
        return 'Access token validation failure. Invalid audience.';
      return 'IDX14100: JWT is not well formed, there are no dots (.).';
    }
  }

  routes(em: Emulator): Route[] {
    return [
      {
        method: 'GET',
        template: '/{tenant}/v2.0/.well-known/openid-configuration',
        auth: 'none',
        handle: (ctx) => this.openIdConfiguration(em, ctx),
      },
      {
        method: 'POST',
        template: '/{tenant}/oauth2/v2.0/token',
        auth: 'none',
        handle: (ctx) => this.token(em, ctx),
      },
      {
        method: 'GET',
        template: '/{tenant}/discovery/v2.0/keys',
        auth: 'none',
        handle: (ctx) => sendJson(ctx.res, 200, { keys: [this.jwk] }),
      },
      ...managedIdentityRoutes(em, this),
    ];
  }

  private knownTenant(em: Emulator, tenant: string): boolean {
    const t = tenant.toLowerCase();
    return (
      t === em.directory.tenantId.toLowerCase() ||
      em.directory.domains.some((d) => d.toLowerCase() === t) ||
      t === 'organizations'
    );
  }

  private aadError(ctx: Ctx, status: number, error: string, code: number, description: string): void {
    const traceId = randomUUID();
    const correlationId = randomUUID();
    const timestamp = new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, 'Z');
    sendJson(ctx.res, status, {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${ctx.url.origin}/error?code=${code}`,
    });
  }

  private openIdConfiguration(em: Emulator, ctx: Ctx): void {
    const tenant = ctx.params.tenant ?? '';
    if (!this.knownTenant(em, tenant)) {
      this.aadError(ctx, 400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`);
      return;
    }
    const base = `${em.baseUrl}/${em.directory.tenantId}`;
    sendJson(ctx.res, 200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: this.issuer(em),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${em.baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'roles'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    });
  }

  audienceFor(em: Emulator, scopeOrResource: string): string | null {
    const resource = scopeOrResource.replace(/\/\.default$/, '').replace(/\/$/, '');
    return this.audiences(em).includes(resource) ? resource : null;
  }

  private async token(em: Emulator, ctx: Ctx): Promise<void> {
    const form = new URLSearchParams(ctx.body);
    const tenant = ctx.params.tenant ?? '';
    if (!this.knownTenant(em, tenant)) {
      this.aadError(
        ctx,
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
      return;
    }
    if (form.get('grant_type') !== 'client_credentials') {
      this.aadError(
        ctx,
        400,
        'unsupported_grant_type',
        70003,
        'The app requested an unsupported grant type.',
      );
      return;
    }
    const clientId = form.get('client_id') ?? '';
    const app = em.tenant.apps.find((a) => a.clientId === clientId);
    if (!app) {
      this.aadError(
        ctx,
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${em.tenant.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
      return;
    }
    const secret = form.get('client_secret');
    if (secret === null) {
      this.aadError(
        ctx,
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
      return;
    }
    if (!app.clientSecret || !safeEqual(secret, app.clientSecret)) {
      this.aadError(
        ctx,
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
      );
      return;
    }
    const scope = form.get('scope') ?? '';
    const scopes = scope.split(' ').filter((s) => s !== '');
    const first = scopes[0] ?? '';
    if (scopes.length !== 1 || !first.endsWith('/.default')) {
      this.aadError(
        ctx,
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
      return;
    }
    const audience = this.audienceFor(em, first);
    if (!audience) {
      this.aadError(
        ctx,
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${first.replace(/\/\.default$/, '')} was not found in the tenant named ${em.tenant.displayName}.`,
      );
      return;
    }
    const { token } = await this.issue(em, app, audience);
    sendJson(ctx.res, 200, {
      token_type: 'Bearer',
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
      access_token: token,
    });
  }
}
