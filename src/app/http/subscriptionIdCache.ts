/**
 * Our subscription ids, cached per process for `ttlMs` (30 s by default) so a notification costs no
 * table read. A subscription created meanwhile reads as unknown until the next refresh, which only
 * counts it (checkItem still requires our clientState). A failed refresh keeps the last known set.
 */
export class SubscriptionIdCache {
  readonly #load: () => Promise<readonly string[]>;
  readonly #now: () => number;
  readonly #ttlMs: number;
  #ids: ReadonlySet<string> | undefined;
  #loadedAt = 0;
  #loading: Promise<ReadonlySet<string>> | undefined;

  constructor(load: () => Promise<readonly string[]>, options: { now?: () => number; ttlMs?: number } = {}) {
    this.#load = load;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  async ids(): Promise<ReadonlySet<string>> {
    if (this.#ids && this.#now() - this.#loadedAt < this.#ttlMs) return this.#ids;
    this.#loading ??= this.#refresh().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #refresh(): Promise<ReadonlySet<string>> {
    try {
      this.#ids = new Set(await this.#load());
      this.#loadedAt = this.#now();
      return this.#ids;
    } catch (error) {
      if (this.#ids) return this.#ids;
      throw error;
    }
  }
}
