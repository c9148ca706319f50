import { GraphApiError } from '../../graph/graphApiError.js';
import type { App } from '../composition.js';
import type { ReportDeps } from './accessReports.js';

/** The reports' and the user lookup's reads over the App (Gogs listing, identities, Graph). */
export function reportSources(
  app: App,
  now: number,
): ReportDeps & { getUser<T>(path: string): Promise<T | undefined> } {
  return {
    identities: () => app.stores.sync.listIdentities(),
    teams: app.policy.teams,
    protectedUsers: app.policy.protectedUsers,
    gogs: app.gogs,
    now,
    getUser: async <T>(path: string) => {
      try {
        return await app.graph.get<T>(path);
      } catch (error) {
        if (error instanceof GraphApiError && error.status === 404) return undefined;
        throw error;
      }
    },
  };
}
