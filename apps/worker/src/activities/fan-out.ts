/*
 * The processor-wide fan-outs (an incident's notices, a DPO change, a sub-processor change) each reach
 * thousands of contracts: they work a page at a time, a bounded number of calls at once, so neither
 * the database nor the Temporal frontend is flooded.
 */

/** Workflows started or signalled, or emails enqueued, at once. */
export const FAN_OUT_CONCURRENCY = 64;

export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}
