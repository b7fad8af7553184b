import { describe, expect, it } from 'vitest';
import { FILE_TYPES } from '#domain';
import { linesStartingWith, runBench } from '../../support/bench';

/** Every benchmark runs in the suite at a tiny size, so that none can break unnoticed; nothing about speed is asserted. */
describe('npm run bench:ui, tiny', () => {
  it('completes and prints each page\'s latencies', async () => {
    const { code, output } = await runBench('ui', { BENCH_UI_CONTRACTS: '12', BENCH_UI_REQUESTS: '8' }, 240_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, 'seeded 12 contracts'), output).toHaveLength(1);
    // Files of every type the registry lists besides the contracts themselves, each named with its count.
    const files = linesStartingWith(output, 'seeded ').find((l) => l.includes(' files of '));
    expect(files, output).toMatch(new RegExp(`^seeded \\d+ files of ${FILE_TYPES.length - 1} types`));
    for (const type of FILE_TYPES.filter((t) => t.name !== 'contract')) expect(files).toMatch(new RegExp(`[:,] ${type.name} [1-9]\\d*(,|$)`));
    for (const page of ['contracts list', 'filtered list', 'inbox ', 'inbox filtered', 'contract page', 'file list', 'file page', 'dashboard', 'roster', 'record page']) {
      expect(linesStartingWith(output, page)[0], output).toMatch(/server p50 [\d.]+ ms, p95 [\d.]+ ms; round trip p50 [\d.]+ ms, p95 [\d.]+ ms/);
    }
  }, 300_000);
});
