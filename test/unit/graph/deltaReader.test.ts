import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { DeltaReader } from '../../../src/graph/deltaReader.js';
import { GraphClient } from '../../../src/graph/graphClient.js';
import type { HttpRequest, HttpResponse } from '../../../src/graph/httpsSend.js';

const BASE = 'https://graph.test';
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 't', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

function reader(pages: HttpResponse[]) {
  const requests: HttpRequest[] = [];
  const graph = new GraphClient({
    baseUrl: BASE,
    credential,
    retry: { maxAttempts: 1 },
    send: async (request) => {
      requests.push(request);
      return pages.shift() ?? { status: 500, headers: {}, text: '' };
    },
  });
  return { delta: new DeltaReader(graph), requests };
}

const page = (value: unknown[], link: { next?: string; delta?: string }): HttpResponse => ({
  status: 200,
  headers: {},
  text: JSON.stringify({
    value,
    ...(link.next ? { '@odata.nextLink': `${BASE}/v1.0/groups/delta?$skiptoken=${link.next}` } : {}),
    ...(link.delta ? { '@odata.deltaLink': `${BASE}/v1.0/groups/delta?$deltatoken=${link.delta}` } : {}),
  }),
});

describe('DeltaReader rounds', () => {
  it('merges a group repeated across pages: members in order, the last @removed state wins', async () => {
    const { delta, requests } = reader([
      page(
        [
          { id: 'G1', 'members@delta': [{ id: 'u1' }] },
          { id: 'g2', '@removed': { reason: 'changed' } },
        ],
        {
          next: 'a',
        },
      ),
      page([], { next: 'b' }),
      page(
        [
          { id: 'g1', 'members@delta': [{ id: 'u2', '@removed': { reason: 'deleted' } }] },
          { id: 'g2' },
          { id: 'g3', '@removed': { reason: 'deleted' } },
        ],
        { delta: 'z' },
      ),
    ]);

    const round = await delta.readRound('group', { from: 'scratch' });

    expect(round).toEqual({
      expired: false,
      pages: 3,
      deltaLink: `${BASE}/v1.0/groups/delta?$deltatoken=z`,
      changes: [
        {
          kind: 'group',
          id: 'g1',
          members: [
            { id: 'u1', removed: false },
            { id: 'u2', removed: true },
          ],
        },
        { kind: 'group', id: 'g2', members: [] },
        { kind: 'group', id: 'g3', removed: 'deleted', members: [] },
      ],
    });
    expect(requests[0]?.url.search).toBe('?$select=displayName,members');
  });

  it('starts from latest with $deltatoken=latest and from a cursor verbatim', async () => {
    const { delta, requests } = reader([page([], { delta: 'l' }), page([], { delta: 'm' })]);

    await delta.readRound('user', { from: 'latest' });
    await delta.readRound('user', { deltaLink: `${BASE}/v1.0/users/delta?$deltatoken=l` });

    expect(requests[0]?.url.searchParams.get('$deltatoken')).toBe('latest');
    expect(requests[0]?.url.searchParams.get('$select')).toContain('accountEnabled');
    expect(requests[1]?.url.href).toBe(`${BASE}/v1.0/users/delta?$deltatoken=l`);
  });

  it('reads a 4xx with syncStateNotFound, even without 410, as expired', async () => {
    const { delta } = reader([
      {
        status: 400,
        headers: {},
        text: JSON.stringify({ error: { code: 'SyncStateNotFound', message: 'gone' } }),
      },
    ]);

    expect(
      await delta.readRound('user', { deltaLink: `${BASE}/v1.0/users/delta?$deltatoken=x` }),
    ).toMatchObject({
      expired: true,
      code: 'SyncStateNotFound',
    });
  });

  it('throws other failures (the catch-up retries them)', async () => {
    const { delta } = reader([
      {
        status: 403,
        headers: {},
        text: JSON.stringify({ error: { code: 'Authorization_RequestDenied', message: '' } }),
      },
    ]);

    await expect(delta.readRound('group', { from: 'scratch' })).rejects.toMatchObject({ status: 403 });
  });
});
