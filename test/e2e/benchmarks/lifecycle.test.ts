import { describe, expect, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:lifecycle, tiny', () => {
  it('completes all four parts and prints the memory and 10-year lines', async () => {
    const env = { BENCH_LIFECYCLES: '2', BENCH_HANDOVERS: '6', BENCH_CONCURRENCY: '2', BENCH_ACTIVE: '4,8', BENCH_OPEN_CONCURRENCY: '4', BENCH_COMMANDS: '8' };
    const { code, output } = await runBench('lifecycle', env, 300_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, '(a) time-skipping server: 2 full lifecycles'), output).toHaveLength(1);
    expect(linesStartingWith(output, '(b) dev server: 6 contracts ordered and handed over'), output).toHaveLength(1);
    for (const open of [4, 8]) expect(linesStartingWith(output, `worker peak RSS at ${open} open:`)[0], output).toMatch(/: \d+ MiB$/);
    // The 10-year contract runs at its full size: one contract, 120 renewals.
    expect(linesStartingWith(output, '(d) 120 renewals'), output).toHaveLength(1);
    expect(numberAfter(output, '10-year contract:')).toBeGreaterThan(0);
  }, 360_000);
});
