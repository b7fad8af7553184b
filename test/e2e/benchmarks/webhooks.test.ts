import { describe, expect, it } from 'vitest';
import { linesStartingWith, runBench } from '../../support/bench';

/** bench:webhooks at a tiny size, so that it cannot break unnoticed; nothing about speed is asserted. */
describe('npm run bench:webhooks, tiny', () => {
  it('delivers every fact to a verifying receiver, renews through both ways, and prints the latency and the ratio', async () => {
    const { code, output } = await runBench('webhooks', { BENCH_WEBHOOK_CONTRACTS: '4', BENCH_WEBHOOK_CLIENTS: '4', BENCH_ROUNDS: '2' }, 240_000);
    expect(code, output).toBe(0);
    expect(linesStartingWith(output, 'ordered and handed over 8 contracts'), output).toHaveLength(1);
    expect(linesStartingWith(output, 'events out: ')[0], output).toMatch(/^events out: (1[6-9]|[2-9]\d) delivered to the receiver, 0 refused; append to delivery p50 [\d.]+ ms, p99 [\d.]+ ms$/);
    expect(linesStartingWith(output, 'renewals, 4 each way')[0], output).toMatch(/Stripe webhook [\d.]+\/s .* POST \/contracts\/\{id\}\/renewals [\d.]+\/s$/);
    expect(output.trim().split('\n').at(-1), output).toMatch(/^ratio: [\d.]+$/);
  }, 300_000);
});
