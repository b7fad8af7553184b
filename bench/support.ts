import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addDuration, contractStream, decide, evolve, initialState, type ContractEvent } from '#domain';
import * as f from '#domain/testing/factories';
import { CONTRACT_STREAM } from '#infra/event-store/contract-projection';
import { type EventStore } from '#infra/event-store/event-store';
import { toNewEvents } from '#infra/event-store/streams';
import { freePort } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startPostgres, type PostgresService } from '#infra/dev/services';

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

/** One measured run: its duration and every task's latency (ms). */
export interface Round {
  readonly seconds: number;
  readonly latencies: number[];
}

export interface Measured extends Round {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

/** Throughput over all rounds (their tasks over their time), latency percentiles over all tasks. */
export function combine(rounds: readonly Round[]): Measured {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = rounds.reduce((t, r) => t + r.seconds, 0);
  return { seconds, latencies, count: latencies.length, perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
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
  return combine([{ seconds: (performance.now() - started) / 1000, latencies }]);
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);

/** CPU seconds used so far by each process, by pid (Linux /proc; empty elsewhere). */
export function cpuByProcess(): Map<number, { name: string; seconds: number }> {
  const ticks = 100;
  const result = new Map<number, { name: string; seconds: number }>();
  let pids: string[] = [];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return result;
  }
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const name = `${stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))} ${command}`;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.set(Number(pid), { name, seconds: (Number(fields[11]) + Number(fields[12])) / ticks });
    } catch {
      // The process ended meanwhile.
    }
  }
  return result;
}

/** CPU seconds each labelled group used between two `cpuByProcess` snapshots. */
export function cpuBetween(before: ReturnType<typeof cpuByProcess>, after: ReturnType<typeof cpuByProcess>, label: (pid: number, name: string) => string): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [pid, { name, seconds }] of after) {
    const group = label(pid, name);
    used[group] = (used[group] ?? 0) + seconds - (before.get(pid)?.seconds ?? 0);
  }
  return used;
}

/**
 * `count` handed-over contracts at one storage location, ordered a day ago, appended straight to the
 * store (read models written by the append, as always); each controller its own address. Returns
 * the instant they were ordered at (an incident's scope starts there).
 */
export async function seedHandedOver(store: EventStore, count: number, location: string, email = (i: number) => `privacy-${i}@c${i % 97}.example`): Promise<string> {
  const orderedAt = new Date(Date.now() - 86_400_000).toISOString();
  const ids = Array.from({ length: count }, () => randomUUID());
  await measure(count, 16, async (i) => {
    const contractId = ids[i]!;
    let state = initialState();
    const events: ContractEvent[] = [];
    const ordered = f.orderContract({ contractId, orderedAt, reference: null, catalog: { storageLocations: [location] }, controller: { customerId: null, name: `Controller ${i}`, email: email(i), address: null, dpoEmail: null } });
    for (const command of [ordered, f.handOverCredentials(addDuration(orderedAt, 'PT1M'), randomUUID())]) {
      for (const e of decide(command, state)) {
        state = evolve(state, e);
        events.push(e);
      }
    }
    await store.append(CONTRACT_STREAM, contractId, 0, toNewEvents(contractStream, events, { actor: 'bench' }));
  });
  return orderedAt;
}

/**
 * Each page requested `requests` times by 4 clients with `cookie`: prints the p50 and p95 of the
 * server's own time (its Server-Timing header) and of the round trip, one line per page.
 */
export async function measurePages(url: string, cookie: string, pages: readonly (readonly [string, string])[], requests: number, width: number): Promise<void> {
  for (const [name, target] of pages) {
    const server: number[] = [];
    const round = await measure(requests, 4, async () => {
      const res = await fetch(`${url}${target}`, { headers: { cookie }, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`${target}: ${res.status}`);
      await res.arrayBuffer();
      server.push(Number(/dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN));
    });
    server.sort((a, b) => a - b);
    const trip = [...round.latencies].sort((a, b) => a - b);
    console.log(`  ${name.padEnd(width)} server p50 ${fmt(percentile(server, 50))} ms, p95 ${fmt(percentile(server, 95))} ms; round trip p50 ${fmt(percentile(trip, 50))} ms, p95 ${fmt(percentile(trip, 95))} ms`);
  }
}

/**
 * Builds dist/ as `npm run bench:*` needs it, unless the caller says it was just built (DPA_BUILT=1:
 * the suite's build stage, before its tiny runs of every benchmark).
 */
export function buildDist(): void {
  if (process.env.DPA_BUILT === '1') return;
  const root = projectRoot();
  if (spawnSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' }).status !== 0) throw new Error('build failed');
}
