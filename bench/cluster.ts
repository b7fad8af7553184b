import * as fs from 'node:fs';
import * as path from 'node:path';
import { migrate } from '#infra/database/data-source';
import { freePort, startProcess, waitFor, WORKER_NODE_ARGS, type ManagedProcess } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startTemporalDevServer } from '#infra/dev/services';
import { freeClusterPorts, startTemporalCluster } from '#infra/dev/temporal-cluster';
import { installTemporalBinaries } from '#infra/temporal/binaries';
import { buildTemporalServer } from '#infra/temporal/server-build';
import { processMemory } from '../test/support/durability';
import { benchPostgres, buildDist, combine, cpuBetween, cpuByProcess, fmt, measure, type Measured } from './support';

/**
 * `npm run bench:cluster`: the bench:api workload (order + hand-over through the HTTP API) on the
 * Temporal cluster built from go.temporal.io/server (PostgreSQL, separate frontend/history/matching/
 * worker processes) with 1 and then 2 engine workers, and on the dev server with 1 worker, all in the
 * same run, in alternating rounds. Prints contracts/s with p50 and p99, each worker's peak RSS, and
 * the CPU each process group spent per contract. Last line: `ratio: <cluster with 2 workers ÷ dev server>`.
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 32);
const PER_ROUND = Number(process.env.BENCH_CONTRACTS_PER_ROUND ?? 96);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

interface Setup {
  readonly name: string;
  readonly api: string;
  readonly workers: ManagedProcess[];
}

/** Peak resident set (VmHWM) of a worker, in MiB: the node process under its guard (scripts/lib/guard.mjs). */
function peakRssMiB(guardPid: number): number {
  const children = fs.readFileSync(`/proc/${guardPid}/task/${guardPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  return processMemory(children.length === 1 ? Number(children[0]) : guardPid).peakMiB;
}

async function main(): Promise<void> {
  const root = projectRoot();
  buildDist();
  await installTemporalBinaries((l) => console.log(l));
  await buildTemporalServer((l) => console.log(l));
  const pg = await benchPostgres('cluster');
  const dir = path.join(root, '.data', 'bench', `cluster-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const started: ManagedProcess[] = [];
  // The APIs' last lines, printed if the run fails.
  const lastLines: string[] = [];
  const keep = (line: string) => {
    lastLines.push(line);
    if (lastLines.length > 30) lastLines.shift();
  };
  const dev = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const admin = new URL(pg.url);
  const cluster = await startTemporalCluster({ postgresUrl: admin.toString(), dir: path.join(dir, 'temporal'), ports: await freeClusterPorts() });
  try {
    await migrate(pg.url);
    const storage = path.join(dir, 'storage');
    const startSetup = async (name: string, address: string, workers: number): Promise<Setup> => {
      const port = await freePort();
      const env = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '10', TEMPORAL_ADDRESS: address, TEMPORAL_TASK_QUEUE: `bench-${name.replace(/\W+/g, '-')}`, PORT: String(port), STORAGE_ROOT: storage };
      const list: ManagedProcess[] = [];
      for (let i = 0; i < workers; i++) {
        let polling = false;
        const w = startProcess(`${name} worker ${i + 1}`, process.execPath, [...WORKER_NODE_ARGS, path.join(root, 'dist/apps/worker/src/main.js')], {
          guarded: true,
          env: { ...env, LOG_LEVEL: 'info' },
          onLine: (l) => {
            polling ||= l.includes('worker polling');
            if (/"level":"(error|warn)"/.test(l)) keep(`[${name} worker ${i + 1}] ${l}`);
          },
        });
        started.push(w);
        list.push(w);
        await waitFor('worker', async () => polling, { timeoutMs: 90_000, exited: w.exited });
      }
      const apiProc = startProcess(`${name} api`, process.execPath, [path.join(root, 'dist/apps/api/src/main.js')], { guarded: true, env, onLine: (l) => keep(`[${name} api] ${l}`) });
      started.push(apiProc);
      const api = `http://127.0.0.1:${port}`;
      await waitFor('api', async () => (await fetch(`${api}/health`)).status === 200, { timeoutMs: 60_000, exited: apiProc.exited });
      return { name, api, workers: list };
    };
    const setups = [await startSetup('dev server, 1 worker', dev.address, 1), await startSetup('cluster, 1 worker', cluster.address, 1), await startSetup('cluster, 2 workers', cluster.address, 2)];

    const post = async (api: string, url: string, body: unknown) => {
      const res = await fetch(`${api}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-account-manager-key' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const contract = (api: string) => async () => {
      const { id } = await post(api, '/contracts', { controller: { name: 'Bench SAS', email: 'bench@bench.example' }, billingPeriod: 'P1M' });
      await post(api, `/contracts/${id}/credentials`, { kind: 'ssh', host: 'h.bench.example', username: 'u', secret: 's3cret' });
    };
    // Warm-up: JIT, pools, sticky caches, the cluster's shard and task queue ownership.
    for (const s of setups) await measure(32, 16, contract(s.api));

    const label = (pid: number, name: string): string => {
      const service = /--service (\w+)/.exec(name)?.[1];
      if (service) return `temporal ${service}`;
      if (name.includes('server start-dev')) return 'temporal dev server';
      if (name.includes('dist/apps/worker')) return 'engine worker';
      if (name.includes('dist/apps/api')) return 'api';
      if (name.includes('postgres')) return 'postgres';
      return pid === process.pid ? 'bench client' : 'other';
    };
    console.log(`cluster benchmark: order + hand-over through the API, ${CLIENTS} clients, ${PER_ROUND} contracts a round, ${ROUNDS} alternating rounds per setup; one PostgreSQL for the engine and Temporal`);
    const rounds = new Map<string, Measured[]>();
    const cpu = new Map<string, Record<string, number>>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = setups.map((_, i) => setups[(i + round) % setups.length]!);
      for (const s of order) {
        const before = cpuByProcess();
        rounds.set(s.name, [...(rounds.get(s.name) ?? []), await measure(PER_ROUND, CLIENTS, contract(s.api))]);
        const used = cpuBetween(before, cpuByProcess(), label);
        const sum = cpu.get(s.name) ?? {};
        for (const [group, seconds] of Object.entries(used)) sum[group] = (sum[group] ?? 0) + seconds;
        cpu.set(s.name, sum);
      }
    }
    const result = new Map<string, Measured>();
    for (const s of setups) {
      const r = combine(rounds.get(s.name)!);
      result.set(s.name, r);
      const rss = s.workers.map((w, i) => `worker ${i + 1} ${fmt(peakRssMiB(w.pid), 0)} MiB`).join(', ');
      console.log(`${s.name}: ${fmt(r.perSecond)} contracts/s (p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms); peak RSS ${rss}`);
      const per = Object.entries(cpu.get(s.name)!)
        .filter(([, seconds]) => seconds > 0.05)
        .sort((a, b) => b[1] - a[1])
        .map(([group, seconds]) => `${group} ${fmt((seconds * 1000) / r.count, 1)}`);
      console.log(`  CPU ms per contract: ${per.join(', ')}`);
    }
    const devRate = result.get(setups[0]!.name)!.perSecond;
    console.log(`cluster with 1 worker ÷ dev server: ${fmt(result.get(setups[1]!.name)!.perSecond / devRate, 3)}`);
    console.log(`ratio: ${fmt(result.get(setups[2]!.name)!.perSecond / devRate, 3)}`);
  } catch (e) {
    console.error(lastLines.join('\n'));
    throw e;
  } finally {
    for (const p of started.reverse()) await p.stop();
    await cluster.stop();
    await dev.stop();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
