import { type Backend, okJson } from './backend.js';
import { CommandError, EXIT } from './cliIo.js';

/**
 * Refuses a command that would write to Gogs, or that the app's worker would defer, while the sync
 * is paused (docs/operations.md "Pause and resume"): exit 3, with how to go on.
 */
export async function refuseWhilePaused(backend: Backend, what: string): Promise<void> {
  const state = backend.app
    ? await backend.app.stores.settings.pauseState()
    : (okJson<{ paused: { paused: boolean; by?: string; reason?: string } | null }>(
        await backend.call('GET', '/api/status'),
        'status',
      ).paused ?? { paused: false });
  if (!state.paused) return;
  const why = `${state.by ? ` by ${state.by}` : ''}${state.reason ? ` (${state.reason})` : ''}`;
  throw new CommandError(`the sync is paused${why}, so ${what} does not run; \`resume\` first`, {
    exitCode: EXIT.held,
  });
}
