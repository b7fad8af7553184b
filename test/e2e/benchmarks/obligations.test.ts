import { describe, expect, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:obligations, tiny', () => {
  it('completes and prints each incident, the orders around them and the ratios', async () => {
    const { code, output } = await runBench('obligations', { BENCH_INCIDENT_SIZES: '3,6', BENCH_ORDERS: '8' }, 240_000);
    expect(code, output).toBe(0);
    for (const size of [3, 6]) expect(linesStartingWith(output, `incident over ${size} contracts: last notice sent`), output).toHaveLength(1);
    for (const prefix of ['orders (before):', 'orders (after):', 'worker peak RSS over the run:', 'ratio at 6:', 'ratio:']) {
      expect(numberAfter(output, prefix), output).toBeGreaterThan(0);
    }
  }, 300_000);
});
