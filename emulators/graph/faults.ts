import { randomUUID } from 'node:crypto';

/** A 429 rule: for the next `count` matching calls, or for a `rate` (0..1) of them. */
export interface ThrottleRule {
  /** Route template such as `/v1.0/users` (optionally prefixed by a method, `GET /v1.0/users`); all Graph routes when absent. */
  route?: string;
  count?: number;
  rate?: number;
  /** Seconds (fractional allowed); null sends no Retry-After header. */
  retryAfter: number | null;
}

export interface DeliveryFaults {
  /** Next N notifications are delivered twice. */
  duplicateNext: number;
  /** Reverse the order of the items in each POST. */
  reorder: boolean;
  /** Hold every batch this long before the first attempt. */
  delayMs: number;
  /** Next N notifications are silently dropped. */
  dropNext: number;
}

export interface Timing {
  /** Retries stop after this long and the notification is dropped (Graph: 4 h, spec §3). */
  retryWindowMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** First attempt must answer within 3 s, retries within 10 s (spec §3). */
  firstTimeoutMs: number;
  retryTimeoutMs: number;
  /** Validation handshake timeout (spec §1: 10 s). */
  validationTimeoutMs: number;
  /** Items are collected this long before a POST, so one POST can carry several. */
  batchWindowMs: number;
  maxBatchSize: number;
  /** Delta tokens live 7 days for directory objects (spec §5). */
  deltaTokenLifetimeMs: number;
  deltaPageSize: number;
}

export const DEFAULT_TIMING: Timing = {
  retryWindowMs: 4 * 3600 * 1000,
  retryBaseMs: 1000,
  retryMaxMs: 5 * 60 * 1000,
  firstTimeoutMs: 3000,
  retryTimeoutMs: 10_000,
  validationTimeoutMs: 10_000,
  batchWindowMs: 50,
  maxBatchSize: 50,
  deltaTokenLifetimeMs: 7 * 24 * 3600 * 1000,
  deltaPageSize: 100,
};

/** Injected faults and tunables of one emulator instance. */
export class Faults {
  throttles: ThrottleRule[] = [];
  delivery: DeliveryFaults = { duplicateNext: 0, reorder: false, delayMs: 0, dropNext: 0 };
  timing: Timing;
  /** Delta tokens issued before this instant are expired. */
  deltaExpiredBefore = 0;
  /** How an expired delta token fails: 410 syncStateNotFound, or 410 resyncRequired with a Location (spec §5). */
  deltaExpiryStyle: 'syncStateNotFound' | 'resync' = 'syncStateNotFound';
  /** Extra empty pages (with a nextLink) at the end of every delta round. */
  deltaEmptyPages = 0;
  readonly identityHeader: string;

  constructor(
    private readonly initialTiming: Partial<Timing> = {},
    identityHeader?: string,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...initialTiming };
    this.identityHeader = identityHeader ?? randomUUID();
  }

  /** Back to the start-up configuration (reset, DELETE /_emulator/faults). */
  clear(): void {
    this.timing = { ...DEFAULT_TIMING, ...this.initialTiming };
    this.throttles = [];
    this.delivery = { duplicateNext: 0, reorder: false, delayMs: 0, dropNext: 0 };
    this.deltaExpiredBefore = 0;
    this.deltaExpiryStyle = 'syncStateNotFound';
    this.deltaEmptyPages = 0;
  }

  /** The rule that throttles this call, consuming one of its `count`. */
  throttle(method: string, template: string): ThrottleRule | null {
    for (const rule of this.throttles) {
      if (rule.route && rule.route !== template && rule.route !== `${method} ${template}`) continue;
      if (rule.count !== undefined) {
        if (rule.count <= 0) continue;
        rule.count -= 1;
        return rule;
      }
      if (rule.rate !== undefined && Math.random() < rule.rate) return rule;
    }
    this.throttles = this.throttles.filter((r) => r.count === undefined || r.count > 0);
    return null;
  }
}
