import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort } from '../libs/infra/src/dev/processes';
import { projectRoot } from '../libs/infra/src/dev/project-root';
import { startPostgres, type PostgresService } from '../libs/infra/src/dev/services';

/** A throwaway embedded PostgreSQL for one benchmark run (or DATABASE_URL's, if set). */
export async function benchPostgres(name: string): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const dir = path.join(projectRoot(), '.data', 'bench', `${name}-${process.pid}`);
  fs.rmSync(dir, { recursive: true, force: true });
  const pg: PostgresService = await startPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort() });
  return {
    url: pg.url,
    stop: async () => {
      await pg.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Measured {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

/** Runs `task(i)` for i in [0, total) on `concurrency` lanes; measures throughput and latency. */
export async function measure(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: total / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), count: total };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
