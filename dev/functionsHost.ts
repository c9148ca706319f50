import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { glob } from 'tinyglobby';
import { captureRegistrations, type RegisteredFunction } from './coreModule.js';
import { type FunctionInfo, wireFunctions } from './functionWiring.js';
import { type HostJsonOverrides, loadAppConfig } from './hostConfig.js';
import { HttpServer } from './httpServer.js';
import { Invoker } from './invoker.js';
import { queueOutputSink, unsupportedOutputs } from './outputBindings.js';
import { QueueClients } from './queueClients.js';
import { TimerScheduler } from './timerScheduler.js';

export type { FunctionInfo } from './functionWiring.js';

export interface FunctionsHostOptions {
  /** Project directory with package.json (`main` glob), host.json and the built files. */
  root: string;
  /** 0 picks a free port; default 7071. */
  port?: number;
  /** Merged over process.env, which is merged over local.settings.json `Values`. */
  env?: Record<string, string>;
  log?: (line: string) => void;
  /** When set, `function`/`admin` routes need `?code=` or `x-functions-key` equal to it (else 401). */
  functionKey?: string;
  /** Merged over host.json, e.g. a short `extensions.queues.maxPollingInterval` for tests. */
  hostJson?: HostJsonOverrides;
  /** How long `close()` waits for invocations in flight; default 30 s. */
  drainTimeoutMs?: number;
}

export interface FunctionsHost {
  url: string;
  functions: FunctionInfo[];
  /** Runs a timer function now (or a queue function with `input` as the message); resolves with its result. */
  trigger(name: string, input?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

// Each start imports the app's files afresh (a query on the URL), so several hosts, or a host
// restarted in one process, each get their own registrations.
let loadCounter = 0;

async function importApp(root: string, patterns: string[]): Promise<string[]> {
  const files = (await glob(patterns, { cwd: root, absolute: true, onlyFiles: true })).sort();
  if (files.length === 0) {
    throw new Error(
      `package.json "main" (${patterns.join(', ')}) matches no files under ${root}; run the build first`,
    );
  }
  loadCounter += 1;
  for (const file of files) {
    try {
      await import(`${pathToFileURL(file).href}?localHost=${loadCounter}`);
    } catch (error) {
      throw new Error(`cannot load ${file}: ${(error as Error).message}`, { cause: error });
    }
  }
  return files;
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(ms, 0))))]);
  clearTimeout(timer);
}

/** Applies the app's environment to process.env (the app reads it) and returns how to undo that. */
function applyEnv(env: Record<string, string>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    if (process.env[key] === value) continue;
    previous.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Starts a local Azure Functions host for a v4 Node app without Core Tools: loads the built files
 * through a stand-in `@azure/functions-core`, serves HTTP triggers, runs NCRONTAB timers and polls
 * storage queues as host.json says (docs/localHost.md).
 */
export async function startFunctionsHost(options: FunctionsHostOptions): Promise<FunctionsHost> {
  const root = resolve(options.root);
  const log = options.log ?? ((line: string) => console.log(line));
  const config = await loadAppConfig(root, process.env, options.env, options.hostJson);
  const restoreEnv = applyEnv(config.env);
  try {
    const registrations = await captureRegistrations(
      async () => {
        await importApp(root, config.main);
      },
      (level, message) => {
        if (level !== 'debug' && level !== 'trace') log(`host: ${level}: ${message}`);
      },
    );
    if (registrations.functions.length === 0) {
      throw new Error(
        `the app under ${root} registered no functions; was @azure/functions used before the local host started?`,
      );
    }
    const clients = new QueueClients();
    const timers = new TimerScheduler(log, config.env.WEBSITE_TIME_ZONE || undefined);
    const wakers = new Map<string, () => void>();
    const invoker = new Invoker(
      registrations.hooks,
      log,
      queueOutputSink(config.env, config.host.queues, clients, (queue) => wakers.get(queue)?.()),
    );
    for (const fn of registrations.functions) {
      const unsupported = unsupportedOutputs(fn);
      if (unsupported.length > 0) {
        log(
          `host: warning: ${fn.metadata.name}: output bindings not supported locally: ${unsupported.join(', ')}`,
        );
      }
    }
    const wiring = wireFunctions({ registrations, config, invoker, timers, clients, log });
    for (const [queueName, listener] of wiring.listeners) wakers.set(queueName, () => listener.wake());
    const server = new HttpServer({
      routePrefix: config.host.routePrefix,
      routes: wiring.routes,
      functionKey: options.functionKey,
      log,
      adminInvoke: (name, input) => {
        const fn = wiring.byName(name);
        if (!fn || wiring.isHttp(fn)) return false;
        void trigger(fn, input).catch(() => undefined);
        return true;
      },
    });
    const url = await server.listen(options.port ?? 7071);
    await invoker.runAppHooks('appStart');
    for (const listener of wiring.listeners.values()) listener.start();
    timers.startup();
    const functions = wiring.infos.map((info) =>
      info.route === undefined ? info : { ...info, url: `${url}${info.route}` },
    );

    function trigger(fn: RegisteredFunction, input?: unknown): Promise<unknown> {
      if (timers.has(fn.metadata.name)) return timers.trigger(fn.metadata.name);
      return wiring.invokeDirect(fn, input);
    }

    let closing: Promise<void> | undefined;
    return {
      url,
      functions,
      trigger(name, input) {
        if (closing) return Promise.reject(new Error('the host is closed'));
        const fn = wiring.byName(name);
        if (!fn) return Promise.reject(new Error(`no function named "${name}"`));
        if (wiring.isHttp(fn))
          return Promise.reject(new Error(`"${name}" is an HTTP function: call ${url} instead`));
        return trigger(fn, input);
      },
      close() {
        closing ??= (async () => {
          const drainMs = options.drainTimeoutMs ?? 30_000;
          const deadline = Date.now() + drainMs;
          timers.stop();
          const serverClosed = server.close(drainMs);
          const listeners = [...wiring.listeners.values()];
          await Promise.all(listeners.map((l) => l.stop()));
          const left = await invoker.drain(drainMs);
          if (left > 0) log(`host: warning: closed with ${left} invocation(s) still running`);
          // Settling a finished message (delete, retry, poison) comes after its invocation.
          await withTimeout(Promise.all(listeners.map((l) => l.idle())), deadline - Date.now());
          await invoker.runAppHooks('appTerminate');
          await serverClosed;
          restoreEnv();
        })();
        return closing;
      },
    };
  } catch (error) {
    restoreEnv();
    throw error instanceof Error ? error : new Error(format(error));
  }
}
