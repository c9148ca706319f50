import { afterAll, beforeAll } from 'vitest';
import { TableStateStore } from '../../../src/state/index.js';
import { InMemorySyncState } from '../../fakes/inMemorySyncState.js';
import { type RunningAzurite, startAzurite } from '../../support/azurite.js';
import { freshClients } from './storeFixture.js';
import { syncStateContract } from './syncStateContract.js';

let azurite: RunningAzurite;
beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});

syncStateContract('InMemorySyncState', async () => {
  const state = new InMemorySyncState();
  return { state, held: async () => state.held };
});

syncStateContract('TableStateStore', async () => {
  const state = new TableStateStore(await freshClients(azurite.connectionString));
  return {
    state,
    held: async () =>
      (await state.listHeld()).map(({ id, action, heldAt, because, cause }) => ({
        id,
        action,
        heldAt,
        because,
        cause,
      })),
  };
});
