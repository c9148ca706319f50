import { Cron } from 'croner';
import { parseTimeSpan } from './hostConfig.js';
import type { Log } from './invoker.js';

/** The `Timer` argument of a timer handler (@azure/functions `Timer`). */
export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

export interface ScheduledTimer {
  functionName: string;
  /** NCRONTAB with six fields (`sec min hour day month dow`) or a TimeSpan `hh:mm:ss`. */
  schedule: string;
  runOnStartup: boolean;
}

type RunTimer = (timer: TimerInfo) => Promise<unknown>;

// A tick that starts this late counts as past due (the host compares against the scheduled time).
const PAST_DUE_MS = 1000;
const NEVER = new Date(0).toISOString();

interface Job {
  timer: ScheduledTimer;
  run: RunTimer;
  next(): Date | null;
  stop(): void;
  last: Date | undefined;
}

/** Throws a readable error when a schedule is not six-field NCRONTAB nor a TimeSpan. */
export function validateSchedule(schedule: string): void {
  if (parseTimeSpan(schedule) !== undefined) return;
  try {
    new Cron(schedule, { mode: '6-part', domAndDow: true, paused: true }).stop();
  } catch (error) {
    throw new Error(
      `schedule "${schedule}" is not a six-field NCRONTAB expression (sec min hour day month dow): ${(error as Error).message}`,
    );
  }
}

/**
 * Runs timer functions on their schedules with croner. NCRONTAB matches day-of-month AND
 * day-of-week; a tick is skipped while the previous run of the same function is still going, as
 * the host's singleton timer lock does. `timeZone` is WEBSITE_TIME_ZONE when set.
 */
export class TimerScheduler {
  readonly #jobs = new Map<string, Job>();
  readonly #busy = new Map<string, number>();
  readonly #log: Log;
  readonly #timeZone: string | undefined;

  constructor(log: Log, timeZone: string | undefined) {
    this.#log = log;
    this.#timeZone = timeZone;
  }

  add(timer: ScheduledTimer, run: RunTimer): void {
    validateSchedule(timer.schedule);
    const intervalMs = parseTimeSpan(timer.schedule);
    const job: Job = { timer, run, last: undefined, next: () => null, stop: () => undefined };
    if (intervalMs !== undefined) {
      let due = Date.now() + intervalMs;
      const handle = setInterval(
        () => {
          void this.#tick(job, new Date(due));
          due = Date.now() + intervalMs;
        },
        Math.max(intervalMs, 1),
      );
      job.next = () => new Date(due);
      job.stop = () => clearInterval(handle);
    } else {
      // The occurrence a callback is for: croner reports when it actually ran, the host the schedule.
      let expected: Date | null = null;
      const cron = new Cron(
        timer.schedule,
        { mode: '6-part', domAndDow: true, ...(this.#timeZone ? { timezone: this.#timeZone } : {}) },
        (self: Cron) => {
          const scheduled = expected ?? new Date();
          expected = self.nextRun();
          return this.#tick(job, scheduled);
        },
      );
      expected = cron.nextRun();
      job.next = () => cron.nextRun();
      job.stop = () => cron.stop();
    }
    this.#jobs.set(timer.functionName.toLowerCase(), job);
  }

  /** Runs `runOnStartup` timers once, without waiting for them. */
  startup(): void {
    for (const job of this.#jobs.values()) {
      if (job.timer.runOnStartup) void this.#tick(job, new Date());
    }
  }

  has(functionName: string): boolean {
    return this.#jobs.has(functionName.toLowerCase());
  }

  /** Runs a timer function now, regardless of its schedule, and resolves when it has finished. */
  trigger(functionName: string): Promise<unknown> {
    const job = this.#jobs.get(functionName.toLowerCase());
    if (!job) return Promise.reject(new Error(`no timer function named "${functionName}"`));
    return this.#fire(job, new Date());
  }

  stop(): void {
    for (const job of this.#jobs.values()) job.stop();
    this.#jobs.clear();
  }

  async #tick(job: Job, scheduled: Date): Promise<void> {
    const name = job.timer.functionName;
    if (this.#busy.has(name)) {
      this.#log(`[${name}] skipped a tick at ${scheduled.toISOString()}: the previous run is still going`);
      return;
    }
    // Errors are already logged by the invoker; a failed tick doesn't stop the schedule.
    await this.#fire(job, scheduled).catch(() => undefined);
  }

  async #fire(job: Job, scheduled: Date): Promise<unknown> {
    const name = job.timer.functionName;
    const now = new Date();
    const info: TimerInfo = {
      isPastDue: now.getTime() - scheduled.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: job.last?.toISOString() ?? NEVER,
        next: job.next()?.toISOString() ?? NEVER,
        lastUpdated: now.toISOString(),
      },
    };
    job.last = scheduled;
    this.#busy.set(name, (this.#busy.get(name) ?? 0) + 1);
    try {
      return await job.run(info);
    } finally {
      const left = (this.#busy.get(name) ?? 1) - 1;
      if (left > 0) this.#busy.set(name, left);
      else this.#busy.delete(name);
    }
  }
}
