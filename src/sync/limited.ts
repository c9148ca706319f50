/**
 * Runs `work` over `items` with at most `limit` in flight, starting them in order; resolves when
 * all are done and rejects with the first failure (the others still run to their end).
 */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** `runLimited` collecting each item's result, in the items' order. */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  await runLimited(items, limit, async (item, index) => {
    results[index] = await work(item);
  });
  return results;
}
