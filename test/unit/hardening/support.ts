import { type HandleResult, handleMessage } from '../../../src/app/worker/index.js';
import type { WorkerApp } from '../../../src/app/worker/workerApp.js';
import type { ChangeMessage, ChangeMessageInput } from '../../../src/state/index.js';
import type { FakeWorld } from '../app/worker/fakeWorkerApp.js';

/** A seeded PRNG (mulberry32): the same seed replays the same interleaving. */
export class Dice {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }
}

/** A random pause of a few microtask turns, so concurrent flows interleave differently per seed. */
export async function jitter(dice: Dice, max = 12): Promise<void> {
  for (let n = dice.int(0, max); n > 0; n--) await Promise.resolve();
}

/** The same object, every async method preceded and followed by a random pause. */
export function jittered<T extends object>(target: T, dice: Dice): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        await jitter(dice);
        const result = await value.apply(obj, args);
        await jitter(dice);
        return result;
      };
    },
  });
}

interface Pending {
  message: ChangeMessage;
  dueAt: number;
  seq: number;
}

/**
 * The queue as the host would deliver it, over the worker's `FakeQueue`: every enqueued message
 * (re-checks, retries, follow-ups) becomes visible after its delay on the fake clock and is handed
 * to the real `handleMessage`. No timer runs: `runUntilIdle` moves the clock to the next due time.
 */
export class QueuePump {
  readonly pending: Pending[] = [];
  readonly results: HandleResult[] = [];
  private seq = 0;

  constructor(
    private readonly world: FakeWorld,
    private readonly app: WorkerApp = world.app,
  ) {}

  /** Moves what the flows enqueued into the pump, stamped with when it becomes visible. */
  collect(): void {
    for (const { message, delayMs } of this.world.queue.take()) {
      this.pending.push({ message, dueAt: this.world.clock.now() + (delayMs ?? 0), seq: this.seq++ });
    }
  }

  send(input: Partial<ChangeMessageInput> & { kind: ChangeMessageInput['kind'] }, delayMs = 0): void {
    this.pending.push({
      message: { receivedAt: this.world.clock.now(), attempt: 0, ...input } as ChangeMessage,
      dueAt: this.world.clock.now() + delayMs,
      seq: this.seq++,
    });
  }

  /** The next visible message, oldest first (or any visible one, with `dice`). */
  take(dice?: Dice, filter: (m: ChangeMessage) => boolean = () => true): ChangeMessage | undefined {
    this.collect();
    const now = this.world.clock.now();
    const visible = this.pending.filter((p) => p.dueAt <= now && filter(p.message));
    if (visible.length === 0) return undefined;
    visible.sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq);
    const chosen = dice ? dice.pick(visible) : (visible[0] as Pending);
    this.pending.splice(this.pending.indexOf(chosen), 1);
    return chosen.message;
  }

  /** Whether a message is visible now, without taking it. */
  hasVisible(filter: (m: ChangeMessage) => boolean = () => true): boolean {
    this.collect();
    const now = this.world.clock.now();
    return this.pending.some((p) => p.dueAt <= now && filter(p.message));
  }

  async deliver(message: ChangeMessage): Promise<HandleResult> {
    const result = await handleMessage(this.app, message, {
      messageId: `q${this.seq++}`,
      dequeueCount: 1,
    });
    this.results.push(result);
    this.collect();
    return result;
  }

  /** Delivers what is visible now, and what it enqueues without delay, until nothing is visible. */
  async drainVisible(filter?: (m: ChangeMessage) => boolean, limit = 1_000): Promise<number> {
    let n = 0;
    for (let m = this.take(undefined, filter); m; m = this.take(undefined, filter)) {
      if (++n > limit) throw new Error('the queue does not drain');
      await this.deliver(m);
    }
    return n;
  }

  /** Delivers everything, moving the clock to each next due time (no real timer waits). */
  async runUntilIdle(filter: (m: ChangeMessage) => boolean = () => true, limit = 1_000): Promise<number> {
    let n = 0;
    for (;;) {
      n += await this.drainVisible(filter, limit);
      const next = this.pending.filter((p) => filter(p.message)).sort((a, b) => a.dueAt - b.dueAt)[0];
      if (!next) return n;
      this.world.clock.advance(Math.max(0, next.dueAt - this.world.clock.now()));
    }
  }
}
