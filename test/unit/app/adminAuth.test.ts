import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { adminAuthenticator } from '../../../src/app/adminAuth.js';

const TENANT = '8b1f6a4e-2c3d-4e5f-9a0b-1c2d3e4f5a6b';
const AUTHORITY = 'https://login.microsoftonline.com';
const AUDIENCE = 'api://entra-gogs-sync';

let sign: (
  claims: Record<string, unknown>,
  options?: { issuer?: string; expiresIn?: string },
) => Promise<string>;
let forged: (claims: Record<string, unknown>) => Promise<string>;
let check: ReturnType<typeof adminAuthenticator>;

beforeAll(async () => {
  const key = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(key.publicKey)), kid: 'k1', alg: 'RS256' };
  const make =
    (privateKey: Parameters<SignJWT['sign']>[0]) =>
    async (claims: Record<string, unknown>, options: { issuer?: string; expiresIn?: string } = {}) =>
      new SignJWT({ tid: TENANT, ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(options.issuer ?? `${AUTHORITY}/${TENANT}/v2.0`)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '10m')
        .sign(privateKey);
  sign = make(key.privateKey);
  forged = make(stranger.privateKey);
  check = adminAuthenticator({
    tenantId: TENANT,
    authorityHost: AUTHORITY,
    audience: AUDIENCE,
    keys: createLocalJWKSet({ keys: [jwk] }),
  });
});

describe('adminAuthenticator', () => {
  it('accepts a token of our tenant and audience with the role the route needs', async () => {
    const token = await sign({ roles: ['Sync.Read'], oid: 'operator-1' });
    expect(await check(`Bearer ${token}`, 'read')).toEqual({
      ok: true,
      subject: 'operator-1',
      roles: ['Sync.Read'],
    });
    expect(await check(`Bearer ${await sign({ roles: ['Sync.Admin'] })}`, 'read')).toMatchObject({
      ok: true,
    });
    const v1 = await sign({ roles: ['Sync.Admin'] }, { issuer: `https://sts.windows.net/${TENANT}/` });
    expect(await check(`Bearer ${v1}`, 'admin')).toMatchObject({ ok: true });
  });

  it('answers 403 when the role is missing and 401 for everything else', async () => {
    expect(await check(`Bearer ${await sign({ roles: ['Sync.Read'] })}`, 'admin')).toMatchObject({
      status: 403,
    });
    expect(await check(undefined, 'read')).toMatchObject({ status: 401 });
    expect(await check('Basic abc', 'read')).toMatchObject({ status: 401 });
    expect(await check(`Bearer ${await forged({ roles: ['Sync.Admin'] })}`, 'read')).toMatchObject({
      status: 401,
    });
    const otherTenant = await sign(
      { roles: ['Sync.Admin'] },
      { issuer: `${AUTHORITY}/00000000-0000-0000-0000-000000000000/v2.0` },
    );
    expect(await check(`Bearer ${otherTenant}`, 'read')).toMatchObject({ status: 401 });
    const expired = await sign({ roles: ['Sync.Admin'] }, { expiresIn: '-5m' });
    expect(await check(`Bearer ${expired}`, 'read')).toMatchObject({
      status: 401,
      reason: expect.stringMatching(/exp/),
    });
  });
});
