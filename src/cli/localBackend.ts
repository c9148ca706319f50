import type { App } from '../app/composition.js';
import { buildReport } from '../app/http/accessReports.js';
import { ok } from '../app/http/apiResult.js';
import { queryAudit } from '../app/http/auditQuery.js';
import { lookupDirectoryUser } from '../app/http/directoryUserLookup.js';
import { runDoctor } from '../app/http/doctorChecks.js';
import { heldDeps } from '../app/http/heldApply.js';
import { heldRoute } from '../app/http/heldRoute.js';
import { listIdentities } from '../app/http/identitiesList.js';
import { setPaused } from '../app/http/pauseSwitch.js';
import { actOnPoison, listPoison, type PoisonDeps } from '../app/http/poisonAdmin.js';
import type { HttpRuntime } from '../app/http/processRuntime.js';
import { QueuedRuns } from '../app/http/queuedRuns.js';
import { requestReconcile } from '../app/http/reconcileRequest.js';
import { reportSources } from '../app/http/reportSources.js';
import { lookupRun } from '../app/http/runLookup.js';
import { buildStatus } from '../app/http/status.js';
import { statusSources } from '../app/http/statusSources.js';
import { listSubscriptions, requestSubscriptions } from '../app/http/subscriptionRequests.js';
import { handleMessage } from '../app/worker/index.js';
import type { ChangeMessageInput } from '../state/index.js';
import type { ApiAnswer, Backend } from './backend.js';

/** Who the audit names for changes made from this machine. */
export const LOCAL_ACTOR = 'cli:local';

/**
 * Local mode: the admin API's own cores over an App built from settings, so both modes share one
 * path; where the deployed app enqueues a job (reconcile, subscriptions), it runs here in-process
 * through the worker's `handleMessage`, as the queue trigger would.
 */
export function localBackend(
  app: App,
  env: Readonly<Record<string, string | undefined>>,
  graphCaPem?: string,
): Backend {
  const rt = { config: app.config, stores: app.stores } as Pick<
    HttpRuntime,
    'config' | 'stores'
  > as HttpRuntime;
  const runJob = async (message: ChangeMessageInput) => {
    await handleMessage(app, message, { messageId: `cli-${Date.now().toString(36)}`, dequeueCount: 1 });
  };
  const route = async (method: string, path: string, bodyText: string): Promise<ApiAnswer> => {
    const now = Date.now();
    const url = new URL(path, 'http://local');
    const parts = url.pathname
      .replace(/^\/api\//, '')
      .split('/')
      .map(decodeURIComponent);
    const [head, second, third] = parts;
    const query = url.searchParams;
    const by = LOCAL_ACTOR;
    const runs = new QueuedRuns(app.stores.clients.table('runs'));
    const jobs: ChangeMessageInput[] = [];
    const runDeps = { runs, enqueue: async (m: ChangeMessageInput) => void jobs.push(m), now, by };
    const withJobs = async (answer: ApiAnswer) => {
      for (const job of jobs) await runJob(job);
      return answer;
    };
    switch (`${method} ${head}`) {
      case 'GET status':
        // The app's log events go where the App's log points (stderr with --debug), not to stdout.
        return buildStatus(Object.assign(statusSources(rt, now), 'log' in app ? { log: app.log } : {}));
      case 'POST reconcile':
        return withJobs(await requestReconcile(bodyText, runDeps));
      case 'GET runs':
        return lookupRun(second ?? '', {
          get: (id) => app.stores.runs.get(id),
          list: () => Promise.resolve([]),
          now,
        });
      case 'GET audit':
        return queryAudit(query, { query: (q) => app.stores.audit.table.query(q), now });
      case 'GET held':
      case 'POST held':
        return heldRoute(
          { method, params: { id: second, decision: third }, query, bodyText },
          heldDeps(app, { now, by }),
        );
      case 'GET poison':
        return listPoison(query, poisonDeps(app, now));
      case 'POST poison':
        return actOnPoison(second ?? '', bodyText, poisonDeps(app, now));
      case 'POST pause':
      case 'POST resume':
        return setPaused(head === 'pause', bodyText, {
          pause: (who, at, reason) => app.stores.settings.pause(who, at, reason),
          resume: (who, at) => app.stores.settings.resume(who, at),
          pauseState: () => app.stores.settings.pauseState(),
          audit: (records) => app.stores.audit.write(records),
          now,
          by,
        });
      case 'GET identities':
        return listIdentities(query, await app.stores.sync.listIdentities());
      case 'GET subscriptions':
        return listSubscriptions(await app.stores.subscriptions.list(), now);
      case 'POST subscriptions':
        return withJobs(
          await requestSubscriptions(second ?? '', {
            ...runDeps,
            previousClientStateSet: app.config.graph.previousClientState !== undefined,
          }),
        );
      case 'GET reports':
        return buildReport(second ?? '', reportSources(app, now));
      case 'GET directory': {
        const sources = reportSources(app, now);
        return lookupDirectoryUser(third ?? '', (p) => sources.getUser(p));
      }
      case 'GET doctor':
        return ok({ checks: await runDoctor(env, { now, ...(graphCaPem ? { graphCaPem } : {}) }) });
      default:
        return {
          status: 404,
          json: { error: 'notFound', message: `no route ${method} /api/${parts.join('/')}` },
        };
    }
  };
  return {
    mode: 'local',
    app,
    call: (method, path, body) => route(method, path, body === undefined ? '' : JSON.stringify(body)),
    close: async () => undefined,
  };
}

function poisonDeps(app: App, now: number): PoisonDeps {
  const { queue, audit } = app.stores;
  return {
    list: (limit) => queue.listPoison(limit),
    redrive: (ids, at) => queue.redrivePoison(ids, at),
    purge: () => queue.purgePoison(),
    depth: () => queue.depth(),
    audit: (records) => audit.write(records),
    now,
    by: LOCAL_ACTOR,
  };
}
