import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { G, startWorkerEnv, type WorkerEnv } from './workerEnv.js';

let env: WorkerEnv;

beforeAll(async () => {
  env = await startWorkerEnv();
});

afterAll(async () => {
  await env?.close();
});

const calls = async () => (await env.graphControl('GET', '/calls')) as Record<string, number>;

describe('reconcile: Graph calls (performance issue 9)', () => {
  it('reads each scope group with one user listing and one nested-group listing, and no user by id', async () => {
    await env.graphControl('DELETE', '/calls');

    const result = await env.handle({ kind: 'reconcile', dryRun: true, requestedBy: 'test' });

    expect(result).toMatchObject({ kind: 'reconcile', status: 'done' });
    const made = await calls();
    // Two scope groups: Engineering (mapped) and Platform Admins (site admins).
    expect(made['GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user']).toBe(2);
    expect(made['GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.group']).toBe(2);
    expect(made['GET /v1.0/users']).toBeUndefined();
    expect(made['GET /v1.0/groups/{id}/members/microsoft.graph.group']).toBeUndefined();
  });

  it('stores the groups beneath each scope group in a row of its own', async () => {
    expect((await env.app.stores.settings.get(`groupsBeneath:${G.engineering}`))?.value).toMatchObject({
      groups: [G.contractors],
    });
    expect((await env.app.stores.settings.get(`groupsBeneath:${G.admins}`))?.value).toMatchObject({
      groups: [],
    });
  });
});
