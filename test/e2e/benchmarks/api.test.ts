import { describe, expect, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:api, tiny', () => {
  it('completes and prints both ratios', async () => {
    const { code, output } = await runBench('api', { BENCH_LEVELS: '2,4', BENCH_CONTRACTS_PER_CLIENT: '2', BENCH_ROUNDS: '1' }, 240_000);
    expect(code, output).toBe(0);
    for (const prefix of ['api ratio:', 'ratio:']) {
      expect(linesStartingWith(output, prefix), output).toHaveLength(1);
      expect(numberAfter(output, prefix)).toBeGreaterThan(0);
    }
    expect(linesStartingWith(output, '4 clients: API').length, output).toBe(1);
  }, 300_000);
});
