import { describe, expect, it } from 'vitest';
import { linesStartingWith, runBench } from '../../support/bench';

/** bench:portal at a tiny size, so that it cannot break unnoticed; nothing about speed is asserted. */
describe('npm run bench:portal, tiny', () => {
  it("signs a controller in by its emailed link, and prints its pages' latencies and the link requests' medians", async () => {
    const { code, output } = await runBench('portal', { BENCH_PORTAL_CONTROLLERS: '12', BENCH_PORTAL_REQUESTS: '8', BENCH_PORTAL_LINKS: '8' }, 240_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, 'seeded 12 controllers'), output).toHaveLength(1);
    expect(linesStartingWith(output, 'signed in as privacy-'), output).toHaveLength(1);
    for (const page of ['home page', 'contract', 'file']) expect(linesStartingWith(output, page)[0], output).toMatch(/server p50 [\d.]+ ms, p95 [\d.]+ ms; round trip p50 [\d.]+ ms, p95 [\d.]+ ms/);
    expect(linesStartingWith(output, 'link requests, 8 in turn')[0], output).toMatch(/known address median [\d.]+ ms, unknown address median [\d.]+ ms; difference [\d.]+ %/);
  }, 300_000);
});
