import { describe, expect, inject, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** `npm run bench:recovery` at a tiny size, so that it cannot break unnoticed: every notice emailed exactly once; nothing about speed is asserted. */
describe('npm run bench:recovery, tiny', () => {
  it('completes, prints the recovery after a worker kill, and no email went twice', async () => {
    const bundle = inject('workflowBundlePath');
    const { code, output } = await runBench('recovery', { BENCH_CONTRACTS: '30', ...(bundle ? { WORKER_WORKFLOW_BUNDLE: bundle } : {}) }, 240_000);
    expect(code, output).toBe(0);
    for (const prefix of ['no kill: last notice emailed', 'worker restarted (polling):', 'recovery after worker kill:', 'last receipt recorded:']) {
      expect(numberAfter(output, prefix), output).toBeGreaterThan(0);
    }
    expect(linesStartingWith(output, 'no kill:')[0], output).toContain('(30 emails)');
    expect(linesStartingWith(output, 'duplicates:'), output).toEqual(['duplicates: 0']);
  }, 300_000);
});
