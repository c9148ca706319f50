import Module from 'node:module';

/** One binding of a registered function, as `@azure/functions` builds it (`toCoreFunctionMetadata`). */
export interface BindingInfo {
  type: string;
  direction?: 'in' | 'out' | 'inout';
  name?: string;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, BindingInfo>;
  retryOptions?: unknown;
}

/** The raw user handler, exactly as passed to `app.*({ handler })`. */
export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;
export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';

export interface RegisteredFunction {
  metadata: FunctionMetadata;
  handler: FunctionCallback;
}

/** What one app load registered: functions and hooks, in registration order. */
export interface Registrations {
  functions: RegisteredFunction[];
  hooks: Map<HookName, HookCallback[]>;
}

type SystemLog = (level: string, message: string) => void;

interface LoadTarget {
  registrations: Registrations;
  systemLog: SystemLog;
}

const CORE_MODULE_ID = '@azure/functions-core';

class StandInDisposable {
  #callback: (() => void) | undefined;
  constructor(callback: () => void) {
    this.#callback = callback;
  }
  dispose(): void {
    this.#callback?.();
    this.#callback = undefined;
  }
}

// Module-level state, and the only reason for it: `@azure/functions` asks for '@azure/functions-core'
// once per process and caches the answer (utils/tryGetCoreApiLazy.ts), so a process can hold only one
// stand-in. `current` is the host whose app is being imported right now; `queue` serializes loads so a
// registration can't land in another host's list; `installed` keeps the require proxy from stacking.
let installed = false;
let current: LoadTarget | undefined;
let queue: Promise<unknown> = Promise.resolve();

function target(what: string): LoadTarget {
  if (!current) {
    throw new Error(`${what} was called outside of an app load; register functions at module top level`);
  }
  return current;
}

const coreApi = {
  version: '3.10.1-local',
  hostVersion: '4.0.0-local',
  Disposable: StandInDisposable,
  setProgrammingModel(_model: unknown): void {
    // The real worker turns RPC messages into handler arguments through this model; the local host
    // builds those arguments itself, so the model is not needed.
  },
  getProgrammingModel(): undefined {
    return undefined;
  },
  registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): StandInDisposable {
    const { registrations } = target(`registerFunction("${metadata.name}")`);
    const taken = registrations.functions.some(
      (f) => f.metadata.name.toLowerCase() === metadata.name.toLowerCase(),
    );
    if (taken) throw new Error(`A function with name "${metadata.name}" has already been registered.`);
    const entry: RegisteredFunction = { metadata, handler };
    registrations.functions.push(entry);
    return new StandInDisposable(() => {
      const at = registrations.functions.indexOf(entry);
      if (at >= 0) registrations.functions.splice(at, 1);
    });
  },
  registerHook(name: HookName, callback: HookCallback): StandInDisposable {
    const { registrations } = target(`registerHook("${name}")`);
    const list = registrations.hooks.get(name) ?? [];
    list.push(callback);
    registrations.hooks.set(name, list);
    return new StandInDisposable(() => {
      const at = list.indexOf(callback);
      if (at >= 0) list.splice(at, 1);
    });
  },
  log(level: string, _category: string, message: string): void {
    if (current) current.systemLog(level, message);
    else if (level === 'error' || level === 'critical' || level === 'warning') console.warn(message);
  },
};

/**
 * Makes `require('@azure/functions-core')` answer the stand-in, as the Functions Node worker's
 * `setupCoreModule` does: `@azure/functions` is a CJS bundle, so its internal `require` goes through
 * `Module.prototype.require` even when the app itself is ESM (spec/tooling.md §4 B).
 */
function install(): void {
  if (installed) return;
  Module.prototype.require = new Proxy(Module.prototype.require, {
    apply(original, self, args: unknown[]) {
      if (args[0] === CORE_MODULE_ID) return coreApi;
      return Reflect.apply(original, self, args);
    },
  });
  installed = true;
}

/**
 * Runs `load` (which imports the app's files) with the stand-in installed and collects everything the
 * app registers meanwhile. Loads are serialized process-wide.
 */
export function captureRegistrations(
  load: () => Promise<void>,
  systemLog: SystemLog,
): Promise<Registrations> {
  install();
  const run = async (): Promise<Registrations> => {
    const registrations: Registrations = { functions: [], hooks: new Map() };
    current = { registrations, systemLog };
    try {
      await load();
    } finally {
      current = undefined;
    }
    return registrations;
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}
