import { randomUUID } from 'node:crypto';
import { format } from 'node:util';
import type { EffectiveFunctionOptions } from '@azure/functions';
import azf from '@azure/functions';
import type { BindingInfo, HookCallback, HookName, RegisteredFunction } from './coreModule.js';

// Classes only through the default export: the bundle is CJS (spec/tooling.md §2).
const { InvocationContext } = azf;

export type Log = (line: string) => void;

/** Writes a function's output bindings after a successful invocation (see outputBindings.ts). */
export type OutputSink = (
  fn: RegisteredFunction,
  context: InstanceType<typeof InvocationContext>,
  result: unknown,
) => Promise<void>;

export interface InvocationRequest {
  fn: RegisteredFunction;
  input: unknown;
  triggerMetadata: Record<string, unknown>;
  /** Why it ran, for the log line: 'HTTP', 'Timer', 'Queue', 'Manual'. */
  reason: string;
}

/** The `context.options` the worker would build from the function's bindings. */
function effectiveOptions(bindings: Record<string, BindingInfo>): EffectiveFunctionOptions {
  const options = { trigger: { name: 'unknown', type: 'unknown' }, extraInputs: [], extraOutputs: [] } as {
    trigger: Record<string, unknown>;
    return?: Record<string, unknown>;
    extraInputs: Record<string, unknown>[];
    extraOutputs: Record<string, unknown>[];
  };
  for (const [key, binding] of Object.entries(bindings)) {
    const { direction, properties: _properties, ...rest } = binding;
    const option = { ...rest, name: binding.name ?? key };
    if (key === '$return') options.return = option;
    else if (direction === 'out') options.extraOutputs.push(option);
    else if (/Trigger$/.test(binding.type)) options.trigger = option;
    else options.extraInputs.push(option);
  }
  return options as unknown as EffectiveFunctionOptions;
}

/**
 * Calls registered handlers the way the worker does: a fresh InvocationContext with a log handler
 * prefixed by the function name, pre/post invocation hooks, output bindings, and one
 * `Executed 'Functions.x' (...)` line per invocation (Core Tools' wording). Tracks invocations in
 * flight so the host can drain them on close.
 */
export class Invoker {
  readonly #hooks: Map<HookName, HookCallback[]>;
  readonly #log: Log;
  readonly #outputs: OutputSink;
  readonly #inFlight = new Set<Promise<unknown>>();

  constructor(hooks: Map<HookName, HookCallback[]>, log: Log, outputs: OutputSink) {
    this.#hooks = hooks;
    this.#log = log;
    this.#outputs = outputs;
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  invoke(request: InvocationRequest): Promise<unknown> {
    const running = this.#run(request);
    const tracked = running.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
    return running;
  }

  /** Waits for invocations in flight, at most `timeoutMs`; resolves to how many were still running. */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    while (this.#inFlight.size > 0) {
      const settled = await Promise.race([
        Promise.all([...this.#inFlight]).then(() => true),
        timeout.then(() => false),
      ]);
      if (!settled) break;
    }
    clearTimeout(timer);
    return this.#inFlight.size;
  }

  async runAppHooks(name: 'appStart' | 'appTerminate'): Promise<void> {
    for (const hook of this.#hooks.get(name) ?? []) {
      try {
        await hook({ hookData: {} });
      } catch (error) {
        this.#log(`${name} hook failed: ${format(error)}`);
      }
    }
  }

  async #run({ fn, input, triggerMetadata, reason }: InvocationRequest): Promise<unknown> {
    const name = fn.metadata.name;
    const invocationId = randomUUID();
    const started = Date.now();
    const context = new InvocationContext({
      invocationId,
      functionName: name,
      triggerMetadata,
      options: effectiveOptions(fn.metadata.bindings),
      logHandler: (level, ...args) => {
        const label = level === 'information' ? '' : `${level}: `;
        this.#log(`[${name}] ${label}${format(...args)}`);
      },
    });
    const hookData: Record<string, unknown> = {};
    const pre: Record<string, unknown> = {
      hookData,
      invocationContext: context,
      inputs: [input],
      functionCallback: fn.handler,
    };
    let result: unknown;
    let error: unknown;
    let failed = false;
    try {
      for (const hook of this.#hooks.get('preInvocation') ?? []) await hook(pre);
      const handler = pre.functionCallback as (...args: unknown[]) => unknown;
      const inputs = Array.isArray(pre.inputs) ? pre.inputs : [input];
      result = await handler(...inputs, context);
    } catch (caught) {
      failed = true;
      error = caught;
    }
    const post: Record<string, unknown> = {
      hookData,
      invocationContext: context,
      inputs: pre.inputs,
      result,
      error,
    };
    try {
      for (const hook of this.#hooks.get('postInvocation') ?? []) await hook(post);
      if (failed && post.error === undefined) failed = false;
      ({ result, error } = post);
      if (!failed) await this.#outputs(fn, context, result);
    } catch (caught) {
      failed = true;
      error = caught;
    }
    const ms = Date.now() - started;
    if (failed) {
      this.#log(`[${name}] error: ${format(error)}`);
      this.#log(
        `Executed 'Functions.${name}' (Failed, Reason=${reason}, Id=${invocationId}, Duration=${ms}ms)`,
      );
      throw error;
    }
    this.#log(
      `Executed 'Functions.${name}' (Succeeded, Reason=${reason}, Id=${invocationId}, Duration=${ms}ms)`,
    );
    return result;
  }
}
