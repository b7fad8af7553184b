import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { addDuration, STORAGE_LOCATIONS } from '../libs/domain/src';
import { loadConfig } from '../libs/infra/src/config/config';
import { migrate } from '../libs/infra/src/database/data-source';
import { freePort, waitFor } from '../libs/infra/src/dev/processes';
import { projectRoot } from '../libs/infra/src/dev/project-root';
import { startTemporalDevServer } from '../libs/infra/src/dev/services';
import { installTemporalBinaries, temporalBinaries } from '../libs/infra/src/temporal/binaries';
import { dataConverter } from '../libs/infra/src/temporal/connection';
import { type ContractSnapshot } from '../libs/infra/src/temporal/messages';
import { storageRegistry } from '../apps/worker/src/storage/registry';
import { seedSampleData } from '../apps/worker/src/storage/seed';
import { createWorkerRuntime } from '../apps/worker/src/worker';
import { startWorker } from '../test/support/apps';
import { ContractDriver, engineClient, processMemory, storeView, type StoreView } from '../test/support/durability';
import { startMailCatcher } from '../test/support/mail';
import { benchPostgres, fmt, measure } from './support';

/**
 * `npm run bench:lifecycle`: the engine end to end, on real Temporal servers and PostgreSQL.
 *  (a) full lifecycles per second on the time-skipping test server — order, hand-over, three
 *      renewals, expiry, destruction of four locations — BENCH_LIFECYCLES contracts at once;
 *  (b) contracts ordered and handed over per second on a dev server (`temporal server
 *      start-dev`), BENCH_HANDOVERS contracts on BENCH_CONCURRENCY lanes, the worker in its own
 *      process as in production;
 *  (c) that worker process's peak RSS with BENCH_OPEN_CONTRACTS contracts open at once (ordered,
 *      each workflow waiting for its hand-over), from /proc/<pid>/status (VmHWM).
 * BENCH_PARTS=a,c runs only some of them. With the defaults it takes 6–8 minutes on 2 cores,
 * most of it in (c), where the dev server is the bottleneck.
 */
const LIFECYCLES = Number(process.env.BENCH_LIFECYCLES ?? 20);
const HANDOVERS = Number(process.env.BENCH_HANDOVERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const OPEN_CONTRACTS = Number(process.env.BENCH_OPEN_CONTRACTS ?? 10_000);
const OPEN_CONCURRENCY = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 50);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'a,b,c').split(','));
const RENEWALS = 3;

const benchDir = path.join(projectRoot(), '.data', 'bench', `lifecycle-${process.pid}`);
const seconds = (since: number) => (performance.now() - since) / 1000;
const termEndOf = (s: ContractSnapshot) => (s.state.status === 'active' ? s.state.termEnd : '');

/** What to stop, last started first; run at the end, on failure and on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) await c().catch((e: unknown) => console.error(`cleanup: ${(e as Error).message}`));
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  await installTemporalBinaries((line) => console.log(line));
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  fs.mkdirSync(benchDir, { recursive: true });
  cleanups.push(async () => fs.rmSync(benchDir, { recursive: true, force: true }));
  try {
    const pg = await benchPostgres('lifecycle');
    cleanups.push(() => pg.stop());
    await migrate(pg.url);
    const mail = await startMailCatcher();
    cleanups.push(() => mail.stop());
    const view = await storeView(pg.url);
    cleanups.push(() => view.close());
    console.log(
      `lifecycle benchmark: ${LIFECYCLES} lifecycles, ${HANDOVERS} hand-overs on ${CONCURRENCY} lanes, ${OPEN_CONTRACTS} open contracts; ` +
        `node ${process.version}, ${os.cpus().length} cores, PostgreSQL with fsync on`,
    );
    const env = { DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '10', SMTP_URL: mail.url };
    if (PARTS.has('a')) await timeSkippingLifecycles(env, view);
    if (PARTS.has('b') || PARTS.has('c')) {
      const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
      cleanups.push(() => temporal.stop());
      const client = await engineClient(temporal.address);
      cleanups.push(() => client.connection.close());
      const workerEnv = { ...env, TEMPORAL_ADDRESS: temporal.address, STORAGE_ROOT: path.join(benchDir, 'storage'), EXPORT_ROOT: path.join(benchDir, 'exports') };
      if (PARTS.has('b')) await orderedAndHandedOver(client, workerEnv, view);
      if (PARTS.has('c')) await openContractsMemory(client, workerEnv, view);
    }
  } finally {
    await cleanUp();
  }
}

/** (a) Order → hand-over → 3 renewals → expiry → destruction complete, N contracts at once. */
async function timeSkippingLifecycles(base: Record<string, string>, view: StoreView): Promise<void> {
  const config = loadConfig({ NODE_ENV: 'test', ...base, STORAGE_ROOT: path.join(benchDir, 'storage-a'), EXPORT_ROOT: path.join(benchDir, 'exports-a') });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
    client: { dataConverter: dataConverter(config) },
  });
  cleanups.push(() => env.teardown());
  const taskQueue = `bench-a-${randomUUID()}`;
  const storage = storageRegistry(config);
  const runtime = await createWorkerRuntime({ config, connection: env.nativeConnection, logger: pino({ level: 'silent' }), taskQueue, storage });
  const running = runtime.worker.run();
  cleanups.push(async () => {
    runtime.worker.shutdown();
    await running.catch(() => undefined);
    await runtime.close();
  });

  const driver = new ContractDriver(env.client, taskQueue, view.vault);
  const started = performance.now();
  // Time stays locked while commands run (no one waits on a result), so every renewal lands inside its term.
  const ids = await Promise.all(
    Array.from({ length: LIFECYCLES }, async () => {
      const { contractId } = await driver.order();
      await seedSampleData(storage, contractId, STORAGE_LOCATIONS.map((l) => l.id));
      let snapshot = await driver.handOver(contractId);
      for (let n = 1; n <= RENEWALS; n++) {
        const end = termEndOf(snapshot);
        snapshot = await driver.renew(contractId, `inv-${n}`, end, addDuration(end, 'P1M'));
      }
      return contractId;
    }),
  );
  const commanded = seconds(started);
  // Waiting on a result lets the server skip time for every workflow at once: four months of
  // terms, then the destruction. One wait at a time: concurrent waits race on the server's
  // skipping lock (each unlocks on entry and locks on exit) and can stall for long polls.
  const finals: ContractSnapshot[] = [];
  for (const id of ids) finals.push(await driver.destructionFinished(id));
  const total = seconds(started);
  const events = (await Promise.all(ids.map((id) => view.store.readStream(id)))).flat();
  const certificates = events.filter((e) => e.type === 'DestructionCompleted').length;
  const destroyed = finals.filter((s) => s.state.status === 'destroyed').length;
  if (destroyed !== LIFECYCLES || certificates !== LIFECYCLES) throw new Error(`only ${destroyed}/${LIFECYCLES} lifecycles ended destroyed (${certificates} certificates)`);
  console.log(
    `(a) time-skipping server: ${LIFECYCLES} full lifecycles in ${fmt(total, 2)} s = ${fmt(LIFECYCLES / total, 2)} lifecycles/s ` +
      `(commands ${fmt(commanded, 2)} s, expiry + destruction ${fmt(total - commanded, 2)} s; ${events.length} events = ${fmt(events.length / total)} events/s)`,
  );
  await cleanups.pop()!();
  await cleanups.pop()!();
}

async function workerProcess(env: Record<string, string>): Promise<{ pid: number; taskQueue: string }> {
  const taskQueue = `bench-${randomUUID()}`;
  // From source through tsx, as `npm run` scripts run: no build needed (tsx adds a few tens of MiB).
  const worker = await startWorker({ ...env, TEMPORAL_TASK_QUEUE: taskQueue }, { fromSource: true });
  cleanups.push(() => worker.stop());
  return { pid: worker.pid, taskQueue };
}

/** (b) Each contract: start and wait for the stored order, seal a credential, hand it over. */
async function orderedAndHandedOver(client: Client, env: Record<string, string>, view: StoreView): Promise<void> {
  const worker = await workerProcess(env);
  const driver = new ContractDriver(client, worker.taskQueue, view.vault);
  const result = await measure(HANDOVERS, CONCURRENCY, async () => {
    const { contractId } = await driver.order();
    await driver.handOver(contractId);
  });
  console.log(
    `(b) dev server: ${result.count} contracts ordered and handed over at ${fmt(result.perSecond, 1)} contracts/s ` +
      `(${CONCURRENCY} lanes; per contract p50 ${fmt(result.p50, 0)} ms, p99 ${fmt(result.p99, 0)} ms)`,
  );
  await cleanups.pop()!();
}

/** (c) A fresh worker process, then OPEN_CONTRACTS workflow starts; every workflow stays open. */
async function openContractsMemory(client: Client, env: Record<string, string>, view: StoreView): Promise<void> {
  const worker = await workerProcess(env);
  const idle = processMemory(worker.pid);
  let sampledPeak = idle.rssMiB;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, processMemory(worker.pid).rssMiB)), 250);
  cleanups.push(async () => clearInterval(sampler));
  const driver = new ContractDriver(client, worker.taskQueue, view.vault);
  const started = performance.now();
  // Starts only, as fast as the server takes them (a bulk import); the worker works through them.
  const ids: string[] = [];
  const starting = await measure(OPEN_CONTRACTS, OPEN_CONCURRENCY, async () => {
    ids.push((await driver.order()).contractId);
  });
  const quarters = [1, 2, 3].map((q) => Math.floor((q * OPEN_CONTRACTS) / 4));
  await waitFor(
    'every order stored',
    async () => {
      const stored = await storedOrders(view, ids);
      for (; quarters.length && stored >= quarters[0]!; quarters.shift()) {
        console.log(`(c) ${quarters[0]} contracts open after ${fmt(seconds(started), 1)} s: worker RSS ${fmt(processMemory(worker.pid).rssMiB, 0)} MiB`);
      }
      return stored === OPEN_CONTRACTS;
    },
    { timeoutMs: 30 * 60_000, intervalMs: 500 },
  );
  const elapsed = seconds(started);
  const { count: open } = await client.workflow.count(`TaskQueue = "${worker.taskQueue}" AND ExecutionStatus = "Running"`);
  const memory = processMemory(worker.pid);
  console.log(
    `(c) ${OPEN_CONTRACTS} contracts ordered in ${fmt(elapsed, 1)} s = ${fmt(OPEN_CONTRACTS / elapsed, 1)} orders stored/s ` +
      `(workflow starts ${fmt(starting.perSecond, 1)}/s on ${OPEN_CONCURRENCY} lanes); ${open} workflows open`,
  );
  console.log(
    `(c) worker process RSS: ${fmt(idle.rssMiB, 0)} MiB idle, peak ${fmt(Math.max(memory.peakMiB, sampledPeak), 0)} MiB (VmHWM) with ${OPEN_CONTRACTS} contracts open, ` +
      `${fmt(memory.rssMiB, 0)} MiB at the end; default workflow cache ${defaultWorkflowCache()} workflows`,
  );
  await cleanups.pop()!();
  await cleanups.pop()!();
}

async function storedOrders(view: StoreView, ids: readonly string[]): Promise<number> {
  const [row] = (await view.dataSource.query(`SELECT count(*)::int AS n FROM streams WHERE stream_id = ANY($1)`, [ids])) as { n: number }[];
  return row!.n;
}

/** The SDK's default maxCachedWorkflows for this heap limit (worker-options.ts, reuseV8Context). */
function defaultWorkflowCache(): number {
  const heapMiB = v8.getHeapStatistics().heap_size_limit / 1024 / 1024;
  return Math.max(Math.floor((Math.max(heapMiB - 200, 0) * 600) / 1024), 10);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
