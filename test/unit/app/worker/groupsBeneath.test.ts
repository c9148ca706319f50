import { describe, expect, it } from 'vitest';
import { GROUPS_BENEATH_PREFIX, GroupsBeneath } from '../../../../src/app/worker/groupsBeneath.js';
import { anObjectId, aPolicy } from '../../../fakes/builders.js';
import { fakeWorld } from './fakeWorkerApp.js';

const SCOPE = anObjectId(3001);
const CHILD = anObjectId(3002);
const GRANDCHILD = anObjectId(3003);

const rowOf = (w: ReturnType<typeof fakeWorld>, scopeGroup: string) =>
  w.settings.values.get(`${GROUPS_BENEATH_PREFIX}${scopeGroup}`)?.value as { groups: string[] } | undefined;

describe('GroupsBeneath', () => {
  it('lists the groups beneath a scope group, at any depth, with one transitive listing', async () => {
    const w = fakeWorld(aPolicy());
    w.graph.nested.set(SCOPE, [CHILD]);
    w.graph.nested.set(CHILD, [GRANDCHILD]);

    const sets = await new GroupsBeneath(w.app).load([SCOPE]);

    expect([...(sets.get(SCOPE) ?? [])].sort()).toEqual([CHILD, GRANDCHILD].sort());
    expect(w.graph.listed).toEqual([
      `/groups/${SCOPE}/transitiveMembers/microsoft.graph.group?$select=id&$top=999`,
    ]);
    expect(rowOf(w, SCOPE)?.groups).toEqual([CHILD, GRANDCHILD].sort());
  });

  it('stores 1,000 nested groups beneath each of 200 scope groups (>30,000 characters each) and reuses them', async () => {
    const w = fakeWorld(aPolicy());
    const scope = Array.from({ length: 200 }, (_, i) => anObjectId(10_000 + i));
    const nested = Array.from({ length: 1_000 }, (_, i) => anObjectId(20_000 + i));
    for (const id of scope) w.graph.nested.set(id, nested);
    const beneath = new GroupsBeneath(w.app);
    await beneath.refresh(scope);
    w.graph.listed.length = 0;

    const sets = await new GroupsBeneath(w.app).load(scope);

    expect(JSON.stringify(rowOf(w, scope[0] ?? '')).length).toBeGreaterThan(30_000);
    expect(w.graph.listed).toEqual([]);
    expect(sets.size).toBe(200);
    expect(sets.get(scope[199] ?? '')?.size).toBe(1_000);
  });

  it('computes only the scope groups missing from the cache', async () => {
    const w = fakeWorld(aPolicy());
    const other = anObjectId(3004);
    w.graph.nested.set(SCOPE, [CHILD]);
    await new GroupsBeneath(w.app).load([SCOPE]);
    w.graph.listed.length = 0;

    const sets = await new GroupsBeneath(w.app).load([SCOPE, other]);

    expect(w.graph.listed).toEqual([
      `/groups/${other}/transitiveMembers/microsoft.graph.group?$select=id&$top=999`,
    ]);
    expect(sets.get(SCOPE)).toEqual(new Set([CHILD]));
    expect(sets.get(other)).toEqual(new Set());
  });

  it('keeps the copy of another worker that refreshed meanwhile, and still answers its own', async () => {
    const w = fakeWorld(aPolicy());
    w.graph.nested.set(SCOPE, [CHILD]);
    await new GroupsBeneath(w.app).load([SCOPE]);
    w.graph.nested.set(SCOPE, [CHILD, GRANDCHILD]);
    const list = w.graph.items.bind(w.graph);
    w.graph.items = async function* <T>(path: string): AsyncGenerator<T> {
      // The other worker writes its row while this one is listing.
      await w.settings.set(`${GROUPS_BENEATH_PREFIX}${SCOPE}`, { at: 0, groups: [GRANDCHILD] });
      yield* list<T>(path);
    };

    const sets = await new GroupsBeneath(w.app).refresh([SCOPE]);

    expect(sets.get(SCOPE)).toEqual(new Set([CHILD, GRANDCHILD]));
    expect(rowOf(w, SCOPE)?.groups).toEqual([GRANDCHILD]);
  });
});
