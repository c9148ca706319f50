import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type MessageEncoding = 'base64' | 'none';

/** host.json `extensions.queues`, with the Functions host's defaults and durations in milliseconds. */
export interface QueueSettings {
  batchSize: number;
  newBatchThreshold: number;
  maxPollingIntervalMs: number;
  visibilityTimeoutMs: number;
  maxDequeueCount: number;
  messageEncoding: MessageEncoding;
}

export interface HostSettings {
  routePrefix: string;
  functionTimeoutMs: number;
  queues: QueueSettings;
  /** host.json `functions`: when present, only these functions are enabled. */
  functionsFilter: string[] | undefined;
}

/** Partial host.json, merged over the file (used by tests and by `npm start` to shorten polling). */
export interface HostJsonOverrides {
  functionTimeout?: string;
  functions?: string[];
  extensions?: {
    http?: { routePrefix?: string };
    queues?: Record<string, unknown>;
  };
}

export interface AppConfig {
  main: string[];
  host: HostSettings;
  env: Record<string, string>;
}

const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

/** Parses a .NET TimeSpan as host.json writes it (`hh:mm:ss`, `d.hh:mm:ss`, optional fraction). */
export function parseTimeSpan(value: string): number | undefined {
  const match = TIMESPAN.exec(value.trim());
  if (!match) return undefined;
  const [, days, hours, minutes, seconds, fraction] = match;
  const ms =
    ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  return ms;
}

function duration(value: unknown, key: string, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = typeof value === 'string' ? parseTimeSpan(value) : undefined;
  if (ms === undefined) throw new Error(`host.json ${key}: "${String(value)}" is not a TimeSpan (hh:mm:ss)`);
  return ms;
}

function positiveInt(value: unknown, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`host.json ${key}: expected a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Turns host.json (plus overrides) into the settings the local host uses. Pure. */
export function toHostSettings(hostJson: unknown, overrides: HostJsonOverrides = {}): HostSettings {
  const json = record(hostJson);
  const extensions = record(json.extensions);
  const http = { ...record(extensions.http), ...overrides.extensions?.http };
  const queues = { ...record(extensions.queues), ...overrides.extensions?.queues };
  const batchSize = Math.min(positiveInt(queues.batchSize, 'extensions.queues.batchSize', 16), 32);
  const encoding = queues.messageEncoding ?? 'base64';
  if (encoding !== 'base64' && encoding !== 'none') {
    throw new Error(
      `host.json extensions.queues.messageEncoding: expected "base64" or "none", got ${encoding}`,
    );
  }
  const filter = overrides.functions ?? json.functions;
  const prefix = typeof http.routePrefix === 'string' ? http.routePrefix : 'api';
  return {
    routePrefix: prefix.replace(/^\/+|\/+$/g, ''),
    functionTimeoutMs: duration(
      overrides.functionTimeout ?? json.functionTimeout,
      'functionTimeout',
      30 * 60_000,
    ),
    functionsFilter: Array.isArray(filter) ? filter.map(String) : undefined,
    queues: {
      batchSize,
      newBatchThreshold: positiveInt(
        queues.newBatchThreshold,
        'extensions.queues.newBatchThreshold',
        Math.floor(batchSize / 2),
      ),
      maxPollingIntervalMs: Math.max(
        duration(queues.maxPollingInterval, 'extensions.queues.maxPollingInterval', 60_000),
        100,
      ),
      visibilityTimeoutMs: duration(queues.visibilityTimeout, 'extensions.queues.visibilityTimeout', 0),
      maxDequeueCount: Math.max(
        positiveInt(queues.maxDequeueCount, 'extensions.queues.maxDequeueCount', 5),
        1,
      ),
      messageEncoding: encoding,
    },
  };
}

async function readJson(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}`, { cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not valid JSON`, { cause: error });
  }
}

function stringValues(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(record(value))) {
    if (v !== undefined && v !== null) out[key] = String(v);
  }
  return out;
}

/**
 * Reads package.json `main`, host.json and local.settings.json from `root`. The environment is
 * local.settings.json `Values`, then `processEnv` over it (Core Tools skips a local setting that is
 * already an environment variable), then `env` over both.
 */
export async function loadAppConfig(
  root: string,
  processEnv: NodeJS.ProcessEnv,
  env: Record<string, string> = {},
  overrides: HostJsonOverrides = {},
): Promise<AppConfig> {
  const pkg = record(await readJson(join(root, 'package.json'), true));
  const main =
    typeof pkg.main === 'string' ? [pkg.main] : Array.isArray(pkg.main) ? pkg.main.map(String) : [];
  if (main.length === 0) throw new Error(`${join(root, 'package.json')} has no "main" (the functions glob)`);
  const hostJson = await readJson(join(root, 'host.json'), true);
  const localSettings = record(await readJson(join(root, 'local.settings.json'), false));
  return {
    main,
    host: toHostSettings(hostJson, overrides),
    env: { ...stringValues(localSettings.Values), ...stringValues(processEnv), ...env },
  };
}

/**
 * Resolves `%NAME%` app-setting references, as the Functions host does for schedules, queue names and
 * routes. Throws naming the missing setting.
 */
export function resolveSettingRefs(value: string, env: Record<string, string>): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined || resolved === '') {
      throw new Error(`'%${name}%' does not resolve to a value (app setting ${name} is not set)`);
    }
    return resolved;
  });
}
