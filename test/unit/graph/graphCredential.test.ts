import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/config/index.js';
import { createGraphCredential, needsInstanceDiscoveryOff } from '../../../src/graph/graphCredential.js';

const TENANT = '0b7d3c52-5d2f-4c55-9a1e-7c1f00000001';

describe('createGraphCredential', () => {
  it('turns instance discovery off for any authority that is not Microsoft’s', () => {
    expect(needsInstanceDiscoveryOff('https://login.microsoftonline.com')).toBe(false);
    expect(needsInstanceDiscoveryOff('https://login.microsoftonline.us/')).toBe(false);
    expect(needsInstanceDiscoveryOff('https://localhost:8443')).toBe(true);
  });

  it('builds the credential the setting names', () => {
    const base = { tenantId: TENANT, authorityHost: 'https://localhost:8443' };

    expect(
      createGraphCredential({
        ...base,
        credential: { kind: 'clientSecret', clientId: 'c', clientSecret: new Secret('s') },
      }),
    ).toBeInstanceOf(ClientSecretCredential);
    expect(
      createGraphCredential({ ...base, credential: { kind: 'managedIdentity', clientId: 'mi' } }),
    ).toBeInstanceOf(ManagedIdentityCredential);
    expect(createGraphCredential({ ...base, credential: { kind: 'default' } })).toBeInstanceOf(
      DefaultAzureCredential,
    );
  });
});
