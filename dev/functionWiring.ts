import type { BindingInfo, RegisteredFunction, Registrations } from './coreModule.js';
import { type AppConfig, resolveSettingRefs } from './hostConfig.js';
import type { HttpRoute } from './httpServer.js';
import type { Invoker, Log } from './invoker.js';
import {
  describeConnectionProblem,
  lookupConnection,
  type QueueClients,
  toTriggerValue,
} from './queueClients.js';
import { QueueListener } from './queueListener.js';
import { compileRoute } from './routeTemplate.js';
import type { TimerScheduler } from './timerScheduler.js';

/** A registered function as the host runs it (printed in the CLI's ready line). */
export interface FunctionInfo {
  name: string;
  /** `http`, `timer`, `queue`, or the raw trigger type of anything else. */
  trigger: string;
  route?: string;
  url?: string;
  methods?: string[];
  authLevel?: string;
  schedule?: string;
  queueName?: string;
  connection?: string;
  disabled?: boolean;
  /** Why the host can't run it (the function is listed but inactive, like the host's "in error"). */
  error?: string;
}

export interface Wiring {
  infos: FunctionInfo[];
  routes: HttpRoute[];
  /** Queue listeners by queue name. */
  listeners: Map<string, QueueListener>;
  byName(name: string): RegisteredFunction | undefined;
  isHttp(fn: RegisteredFunction): boolean;
  /** Calls a non-HTTP function directly with `input` (for queue functions: the message). */
  invokeDirect(fn: RegisteredFunction, input: unknown): Promise<unknown>;
}

interface WiringDeps {
  registrations: Registrations;
  config: AppConfig;
  invoker: Invoker;
  timers: TimerScheduler;
  clients: QueueClients;
  log: Log;
}

function triggerOf(fn: RegisteredFunction): BindingInfo {
  const trigger = Object.values(fn.metadata.bindings).find(
    (b) => b.direction !== 'out' && /Trigger$/.test(b.type),
  );
  if (!trigger) throw new Error(`function "${fn.metadata.name}" has no trigger binding`);
  return trigger;
}

function isDisabled(name: string, config: AppConfig): boolean {
  const filter = config.host.functionsFilter;
  if (filter && !filter.some((f) => f.toLowerCase() === name.toLowerCase())) return true;
  const flag = config.env[`AzureWebJobs.${name}.Disabled`]?.toLowerCase();
  return flag === 'true' || flag === '1';
}

/** Turns registrations into HTTP routes, timer jobs and queue listeners (nothing starts yet). */
export function wireFunctions(deps: WiringDeps): Wiring {
  const { registrations, config, invoker, timers, clients, log } = deps;
  const infos: FunctionInfo[] = [];
  const routes: HttpRoute[] = [];
  const listeners = new Map<string, QueueListener>();
  const env = config.env;

  for (const fn of registrations.functions) {
    const name = fn.metadata.name;
    const trigger = triggerOf(fn);
    const kind = trigger.type.replace(/Trigger$/, '');
    const info: FunctionInfo = { name, trigger: kind };
    infos.push(info);
    if (isDisabled(name, config)) {
      info.disabled = true;
      continue;
    }
    try {
      if (kind === 'http') {
        const template = resolveSettingRefs(String(trigger.route ?? name), env);
        const methods = (Array.isArray(trigger.methods) ? trigger.methods : []).map((m) =>
          String(m).toUpperCase(),
        );
        const authLevel = String(trigger.authLevel ?? 'function');
        const route = compileRoute(template);
        Object.assign(info, {
          route: `/${[config.host.routePrefix, route.template].filter(Boolean).join('/')}`,
          methods,
          authLevel,
        });
        routes.push({
          functionName: name,
          route,
          methods,
          authLevel,
          invoke: (request, params) =>
            invoker.invoke({ fn, input: request, triggerMetadata: { ...params }, reason: 'HTTP' }),
        });
      } else if (kind === 'timer') {
        const schedule = resolveSettingRefs(String(trigger.schedule ?? ''), env);
        info.schedule = schedule;
        timers.add({ functionName: name, schedule, runOnStartup: trigger.runOnStartup === true }, (timer) =>
          invoker.invoke({ fn, input: timer, triggerMetadata: {}, reason: 'Timer' }),
        );
      } else if (kind === 'queue') {
        const queueName = resolveSettingRefs(String(trigger.queueName ?? ''), env).toLowerCase();
        const connection = String(trigger.connection || 'AzureWebJobsStorage');
        Object.assign(info, { queueName, connection });
        const lookup = lookupConnection(connection, env);
        if (lookup.kind !== 'connectionString') throw new Error(describeConnectionProblem(lookup));
        if (listeners.has(queueName)) throw new Error(`queue ${queueName} already has a function listening`);
        listeners.set(
          queueName,
          new QueueListener({
            functionName: name,
            queueName,
            queue: () => clients.get(lookup.value, queueName),
            poison: () => clients.get(lookup.value, `${queueName}-poison`),
            settings: config.host.queues,
            leaseMs: config.host.functionTimeoutMs + 60_000,
            invoke: (input, triggerMetadata) =>
              invoker.invoke({ fn, input, triggerMetadata, reason: 'Queue' }),
            log,
          }),
        );
      } else {
        throw new Error(`${trigger.type} is not supported by the local host`);
      }
    } catch (error) {
      info.error = (error as Error).message;
      log(`host: error: The '${name}' function is in error: ${info.error}`);
    }
  }

  const active = (fn: RegisteredFunction) => {
    const info = infos.find((i) => i.name === fn.metadata.name);
    return info !== undefined && !info.disabled && info.error === undefined;
  };
  return {
    infos,
    routes,
    listeners,
    byName: (name) =>
      registrations.functions.find(
        (fn) => fn.metadata.name.toLowerCase() === name.toLowerCase() && active(fn),
      ),
    isHttp: (fn) => triggerOf(fn).type === 'httpTrigger',
    invokeDirect(fn, input) {
      const text = typeof input === 'string' ? input : input === undefined ? '' : JSON.stringify(input);
      const isQueue = triggerOf(fn).type === 'queueTrigger';
      return invoker.invoke({
        fn,
        input: isQueue ? toTriggerValue(text) : input,
        triggerMetadata: isQueue ? { id: 'manual', dequeueCount: 1, queueTrigger: text } : {},
        reason: 'Manual',
      });
    },
  };
}
