import { ConcurrencyError } from '../../../../src/state/errors.js';

/** An in-memory settings store with ETags, like `settingsRows()`: a stale ETag, or a create of an existing row, is a ConcurrencyError. */
export class InMemorySettings {
  readonly rows = new Map<string, { value: unknown; etag: string }>();
  #version = 0;
  failNextSets = 0;

  async get(name: string): Promise<{ value: unknown; etag: string } | undefined> {
    const row = this.rows.get(name);
    return row && { value: structuredClone(row.value), etag: row.etag };
  }

  async set(name: string, value: unknown, etag?: string): Promise<string> {
    if (this.failNextSets > 0) {
      this.failNextSets--;
      throw new Error('storage down');
    }
    const row = this.rows.get(name);
    if (etag === undefined ? row !== undefined : row?.etag !== etag) {
      throw new ConcurrencyError(`setting ${name} changed`);
    }
    const next = { value: structuredClone(value), etag: `v${++this.#version}` };
    this.rows.set(name, next);
    return next.etag;
  }
}
