import { describe, expect, inject, it } from 'vitest';
import { linesStartingWith, numberAfter, runBench } from '../../support/bench';

/** `npm run bench:recovery` at a tiny size, so that it cannot break unnoticed: every notice emailed exactly once; nothing about speed is asserted. */
describe('npm run bench:recovery, tiny', () => {
  it('completes, prints the recovery after a worker kill; no email went twice but what the killed worker was sending', async () => {
    const bundle = inject('workflowBundlePath');
    const { code, output } = await runBench('recovery', { BENCH_CONTRACTS: '30', ...(bundle ? { WORKER_WORKFLOW_BUNDLE: bundle } : {}) }, 240_000);
    expect(code, output).toBe(0);
    for (const prefix of ['no kill: last notice emailed', 'worker restarted (polling):', 'recovery after worker kill:', 'last receipt recorded:']) {
      expect(numberAfter(output, prefix), output).toBeGreaterThan(0);
    }
    expect(linesStartingWith(output, 'no kill:')[0], output).toContain('(30 emails)');
    expect(linesStartingWith(output, 'duplicates without a kill:'), output).toEqual(['duplicates without a kill: 0']);
    // Twice only what the killed worker was sending (SMTP's one window), never more.
    const [resent] = linesStartingWith(output, 'resent after the kill:');
    const [, twice, sending] = /^resent after the kill: (\d+) \(the killed worker was sending (\d+)\)$/.exec(resent ?? '') ?? [];
    expect(Number(twice), output).toBeLessThanOrEqual(Number(sending));
  }, 300_000);
});
