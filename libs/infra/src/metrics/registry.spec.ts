import { describe, expect, it } from 'vitest';
import { bearerMatches, processRegistry } from './registry';

describe('the metrics token', () => {
  const token = 'a-scraper-token-0123';
  it('matches only `Bearer <token>` exactly', () => {
    expect(bearerMatches(`Bearer ${token}`, token)).toBe(true);
    for (const header of [undefined, '', token, `bearer ${token}`, `Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, `Bearer  ${token}`, `Basic ${token}`]) {
      expect(bearerMatches(header, token), String(header)).toBe(false);
    }
  });
});

describe('a process registry', () => {
  it("is the process's own, with Node's default metrics, and two never share a metric", async () => {
    const [a, b] = [processRegistry(), processRegistry()];
    expect(await a.metrics()).toContain('process_cpu_user_seconds_total');
    expect(a.getSingleMetric('nodejs_eventloop_lag_seconds')).not.toBe(b.getSingleMetric('nodejs_eventloop_lag_seconds'));
  });
});
