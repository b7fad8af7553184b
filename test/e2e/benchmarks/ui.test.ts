import { describe, expect, it } from 'vitest';
import { linesStartingWith, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:ui, tiny', () => {
  it('completes and prints each page\'s latencies', async () => {
    const { code, output } = await runBench('ui', { BENCH_UI_CONTRACTS: '12', BENCH_UI_REQUESTS: '8' }, 240_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, 'seeded 12 contracts'), output).toHaveLength(1);
    for (const page of ['contracts list', 'filtered list', 'inbox ', 'inbox filtered', 'contract page', 'dashboard', 'roster', 'record page']) {
      expect(linesStartingWith(output, page)[0], output).toMatch(/server p50 [\d.]+ ms, p95 [\d.]+ ms; round trip p50 [\d.]+ ms, p95 [\d.]+ ms/);
    }
  }, 300_000);
});
