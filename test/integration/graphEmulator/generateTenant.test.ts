import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../../emulators/graph/generateTenant.js';
import { startGraphEmulator } from '../../../emulators/graph/index.js';
import { call, tokenFor } from './helpers.js';

const shape = { users: 2000, groups: 200, mapped: 20, depth: 3, memberships: 8000, seed: 7 };

describe('generateTenant', () => {
  it('is deterministic and has the requested shape', () => {
    const a = generateTenant(shape);
    const b = generateTenant(shape);

    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.seed.users).toHaveLength(2000);
    expect(a.seed.groups).toHaveLength(201);
    expect(a.mapping.teams).toHaveLength(20);
    const userIds = new Set(a.seed.users?.map((u) => u.id));
    const memberships = a.seed.groups
      ?.slice(0, 200)
      .flatMap((g) => g.members ?? [])
      .filter((m) => userIds.has(m));
    expect(memberships).toHaveLength(8000);
  });

  it('loads into the emulator, whose transitive members reach depth 3', async () => {
    const { seed, mapping } = generateTenant(shape);
    const em = await startGraphEmulator({ seed });
    try {
      const token = await tokenFor(em, em.clientId, em.clientSecret);
      const team = mapping.teams[0]?.group ?? '';
      const direct = await call(em, 'GET', `/v1.0/groups/${team}/members/microsoft.graph.group?$select=id`, {
        token,
      });
      const all = await call(em, 'GET', `/v1.0/groups/${team}/transitiveMembers?$select=id&$top=999`, {
        token,
      });
      const page = await call(em, 'GET', '/v1.0/users?$top=999&$select=id', { token });

      expect(direct.json.value.length).toBeGreaterThan(0);
      expect(all.json.value.length).toBeGreaterThan(direct.json.value.length);
      expect(page.json.value).toHaveLength(999);
      expect(page.json['@odata.nextLink']).toBeTruthy();
    } finally {
      await em.close();
    }
  });
});
