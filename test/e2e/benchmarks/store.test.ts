import { describe, expect, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:store, tiny', () => {
  it('completes and prints its ratio and each piece of machinery', async () => {
    const { code, output } = await runBench('store', { BENCH_STREAMS: '24', BENCH_WRITERS: '2,4', BENCH_ROUNDS: '1' }, 240_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, 'ratio:'), output).toHaveLength(1);
    expect(numberAfter(output, 'ratio:')).toBeGreaterThan(0);
    for (const writers of [2, 4]) expect(linesStartingWith(output, `${writers} writers, 1-event appends: store`), output).toHaveLength(1);
    // Each piece of the machinery switched off in turn, at the first number of writers.
    for (const piece of ['full store', 'no group commit', 'no head cache', 'no merged documents', 'no named statements', 'raw INSERT']) {
      expect(linesStartingWith(output, `machinery, 2 writers, 1-event appends: ${piece} `)[0], output).toMatch(/ratio to raw [\d.]+$/);
    }
  }, 300_000);
});
