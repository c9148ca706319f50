/** Fault injection for `/_emulator/faults`: error statuses, connection resets, latency. */
export interface FaultConfig {
  /** Probability (0..1) that a matching call is answered with one of `statuses`. */
  errorRate: number;
  statuses: number[];
  /** Probability (0..1) that a matching call's connection is reset without an answer. */
  resetRate: number;
  /** Added before every matching call. */
  latencyMs: number;
  /** Route template (`/api/v1/admin/users/:username`, with or without `/api/v1`); `*` is a wildcard. */
  route?: string;
  method?: string;
  /** `before` (default): the handler does not run. `after`: it runs, then its answer is replaced. */
  phase: 'before' | 'after';
  seed?: number;
}

export interface FaultDecision {
  latencyMs: number;
  action: 'none' | 'reset' | 'error';
  status: number;
  phase: 'before' | 'after';
}

/** mulberry32: small, seedable, good enough for deciding faults deterministically. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

export class Faults {
  private config: FaultConfig | undefined;
  private random: () => number = Math.random;
  private routePattern: RegExp | undefined;

  current(): FaultConfig | undefined {
    return this.config;
  }

  set(config: FaultConfig): void {
    this.config = config;
    this.random = config.seed === undefined ? Math.random : seededRandom(config.seed);
    this.routePattern = config.route === undefined ? undefined : globToRegExp(config.route);
  }

  clear(): void {
    this.config = undefined;
    this.routePattern = undefined;
  }

  decide(method: string, template: string): FaultDecision | undefined {
    const config = this.config;
    if (!config) return undefined;
    if (config.method !== undefined && config.method.toUpperCase() !== method) return undefined;
    if (this.routePattern) {
      const short = template.replace(/^\/api\/v1/, '');
      if (!this.routePattern.test(template) && !this.routePattern.test(short)) return undefined;
    }
    // Always draw the same number of values per call so a seed gives a reproducible sequence.
    const resetRoll = this.random();
    const errorRoll = this.random();
    const pick = this.random();
    const status = config.statuses[Math.floor(pick * config.statuses.length)] ?? 500;
    let action: FaultDecision['action'] = 'none';
    if (resetRoll < config.resetRate) action = 'reset';
    else if (errorRoll < config.errorRate) action = 'error';
    return { latencyMs: config.latencyMs, action, status, phase: config.phase };
  }
}

function rate(value: unknown, name: string): number | string {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return `${name} must be a number from 0 to 1`;
  return value;
}

/** Validates a POST body; an empty object means "no faults" (returns undefined). */
export function parseFaultConfig(body: Record<string, unknown>): FaultConfig | undefined | string {
  if (Object.keys(body).length === 0) return undefined;
  const known = ['errorRate', 'statuses', 'resetRate', 'latencyMs', 'route', 'method', 'phase', 'seed'];
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length > 0) return `unknown keys: ${unknown.join(', ')}`;
  const errorRate = rate(body.errorRate, 'errorRate');
  if (typeof errorRate === 'string') return errorRate;
  const resetRate = rate(body.resetRate, 'resetRate');
  if (typeof resetRate === 'string') return resetRate;
  const statuses = body.statuses ?? [500];
  if (
    !Array.isArray(statuses) ||
    statuses.length === 0 ||
    !statuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599)
  ) {
    return 'statuses must be a non-empty array of HTTP status codes';
  }
  const latencyMs = body.latencyMs ?? 0;
  if (typeof latencyMs !== 'number' || !(latencyMs >= 0)) return 'latencyMs must be a number >= 0';
  const { route, method, seed } = body;
  if (route !== undefined && typeof route !== 'string') return 'route must be a string';
  if (method !== undefined && typeof method !== 'string') return 'method must be a string';
  if (seed !== undefined && !Number.isInteger(seed)) return 'seed must be an integer';
  const phase = body.phase ?? 'before';
  if (phase !== 'before' && phase !== 'after') return 'phase must be "before" or "after"';
  return {
    errorRate,
    statuses: statuses as number[],
    resetRate,
    latencyMs,
    phase,
    ...(route === undefined ? {} : { route }),
    ...(method === undefined ? {} : { method: method.toUpperCase() }),
    ...(seed === undefined ? {} : { seed: seed as number }),
  };
}
