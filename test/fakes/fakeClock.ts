import type { Clock } from '../../src/sync/ports.js';

export class FakeClock implements Clock {
  constructor(private current = Date.UTC(2026, 10, 26, 9, 0, 0)) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }
}
