import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { type Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { addDuration, factsOf, STORAGE_LOCATIONS } from '#domain';
import { loadConfig } from '#infra/config/config';
import { migrate } from '#infra/database/data-source';
import { freePort } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startTemporalDevServer } from '#infra/dev/services';
import { installTemporalBinaries, temporalBinaries } from '#infra/temporal/binaries';
import { dataConverter } from '#infra/temporal/connection';
import { rejectRenewalUpdate, type ContractSnapshot } from '#infra/temporal/messages';
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
 *  (c) that worker process's peak RSS (VmHWM, /proc/<pid>/status) with each of BENCH_ACTIVE
 *      (10,000 and 20,000) **active** contracts open — handed over, each waiting on its term timer —
 *      with its bounded workflow cache (WORKER_MAX_CACHED_WORKFLOWS), and the latency of commands
 *      sent to random open contracts at each level (a cache too small to be useful would show there);
 *  (d) a 10-year monthly contract to its certificate on the time-skipping server: 120 renewals, each
 *      accepted a day before its term ends, then expiry and destruction, timed from the order.
 * BENCH_PARTS=a,c runs only some of them. With the defaults (c) takes most of the time: about ten
 * minutes on 2 cores, where the dev server is the bottleneck.
 */
const LIFECYCLES = Number(process.env.BENCH_LIFECYCLES ?? 20);
const HANDOVERS = Number(process.env.BENCH_HANDOVERS ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ACTIVE = (process.env.BENCH_ACTIVE ?? '10000,20000').split(',').map(Number);
const OPEN_CONCURRENCY = Number(process.env.BENCH_OPEN_CONCURRENCY ?? 64);
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 400);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'a,b,c,d').split(','));
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
      `lifecycle benchmark: ${LIFECYCLES} lifecycles, ${HANDOVERS} hand-overs on ${CONCURRENCY} lanes, ${ACTIVE.join(' and ')} active contracts; ` +
        `node ${process.version}, ${os.cpus().length} cores, PostgreSQL with fsync on`,
    );
    const env = { DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '10', SMTP_URL: mail.url };
    if (PARTS.has('a')) await timeSkippingLifecycles(env, view);
    if (PARTS.has('d')) await tenYearContract(env, view);
    if (PARTS.has('b') || PARTS.has('c')) {
      const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
      cleanups.push(() => temporal.stop());
      const client = await engineClient(temporal.address);
      cleanups.push(() => client.connection.close());
      const workerEnv = { ...env, TEMPORAL_ADDRESS: temporal.address, STORAGE_ROOT: path.join(benchDir, 'storage'), EXPORT_ROOT: path.join(benchDir, 'exports') };
      if (PARTS.has('b')) await orderedAndHandedOver(client, workerEnv, view);
      if (PARTS.has('c')) await activeContractsMemory(client, workerEnv, view);
    }
  } catch (e) {
    // Said before the clean-up: closing the connection under calls still retrying can end the process first.
    console.error(e);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

/** A time-skipping test server with the engine's worker in this process; both stopped by the next two cleanups. */
async function timeSkippingWorker(base: Record<string, string>, view: StoreView, part: string) {
  const config = loadConfig({ NODE_ENV: 'test', ...base, STORAGE_ROOT: path.join(benchDir, `storage-${part}`), EXPORT_ROOT: path.join(benchDir, `exports-${part}`) });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
    client: { dataConverter: dataConverter(config) },
  });
  cleanups.push(() => env.teardown());
  const taskQueue = `bench-${part}-${randomUUID()}`;
  const storage = storageRegistry(config);
  const runtime = await createWorkerRuntime({ config, connection: env.nativeConnection, logger: pino({ level: 'silent' }), taskQueue, storage });
  const running = runtime.worker.run();
  cleanups.push(async () => {
    runtime.worker.shutdown();
    await running.catch(() => undefined);
    await runtime.close();
  });
  return { env, storage, driver: new ContractDriver(env.client, taskQueue, view.vault) };
}

/** (a) Order → hand-over → 3 renewals → expiry → destruction complete, N contracts at once. */
async function timeSkippingLifecycles(base: Record<string, string>, view: StoreView): Promise<void> {
  const { driver, storage } = await timeSkippingWorker(base, view, 'a');
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
  let stopping = false;
  // A worker that dies under the load says why (its last lines), and the benchmark stops.
  void worker.exited.then((code) => {
    if (stopping) return;
    console.error(`the worker process exited (${code}) under the benchmark:\n${worker.lines.slice(-30).join('\n')}`);
    void cleanUp().finally(() => process.exit(1));
  });
  cleanups.push(() => ((stopping = true), worker.stop()));
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

/**
 * (c) A fresh worker process; contracts ordered and handed over until each level of ACTIVE is
 * open (every workflow then waits on its term timer), the peak RSS at each, then COMMANDS
 * commands (a rejected invoice: one event each) to random open contracts.
 */
async function activeContractsMemory(client: Client, env: Record<string, string>, view: StoreView): Promise<void> {
  const cache = loadConfig({ NODE_ENV: 'test', ...env }).worker.maxCachedWorkflows;
  const worker = await workerProcess(env);
  const idle = processMemory(worker.pid);
  let sampledPeak = idle.rssMiB;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, processMemory(worker.pid).rssMiB);
    } catch {
      // The worker is gone: its exit is reported above.
    }
  }, 250);
  cleanups.push(async () => clearInterval(sampler));
  const driver = new ContractDriver(client, worker.taskQueue, view.vault);
  console.log(`(c) worker process RSS ${fmt(idle.rssMiB, 0)} MiB idle; workflow cache ${cache} workflows (WORKER_MAX_CACHED_WORKFLOWS; the SDK's default here would be ${defaultWorkflowCache()})`);
  const ids: string[] = [];
  const started = performance.now();
  for (const level of ACTIVE) {
    const opened = await measure(level - ids.length, OPEN_CONCURRENCY, async () => {
      const { contractId } = await driver.order();
      const { state } = await driver.handOver(contractId);
      if (state.status !== 'active') throw new Error(`hand-over left ${contractId} ${state.status}`);
      ids.push(contractId);
    });
    const peak = Math.max(processMemory(worker.pid).peakMiB, sampledPeak);
    const commands = await measure(COMMANDS, 16, async () => {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      await driver.handle(id).executeUpdate(rejectRenewalUpdate, { args: [{ invoiceId: `bench-${randomUUID()}`, reason: null, actor: { role: 'billing' } }] });
    });
    console.log(
      `(c) ${ids.length} active after ${fmt(seconds(started), 0)} s (ordered and handed over at ${fmt(opened.perSecond, 1)}/s); ` +
        `commands to random open contracts: p50 ${fmt(commands.p50, 0)} ms, p99 ${fmt(commands.p99, 0)} ms (${fmt(commands.perSecond, 1)}/s on 16 lanes)`,
    );
    console.log(`worker peak RSS at ${level} open: ${fmt(peak, 0)} MiB`);
  }
  const { count: open } = await client.workflow.count(`TaskQueue = "${worker.taskQueue}" AND ExecutionStatus = "Running"`);
  console.log(`(c) ${open} workflows open at the end; worker RSS ${fmt(processMemory(worker.pid).rssMiB, 0)} MiB; cache ${cache} workflows`);
  await cleanups.pop()!();
  await cleanups.pop()!();
}

/** (d) One monthly contract for ten years: renewed a day before each term end, then left to expire. */
async function tenYearContract(base: Record<string, string>, view: StoreView): Promise<void> {
  const { env, driver, storage } = await timeSkippingWorker(base, view, 'd');
  const started = performance.now();
  const { contractId } = await driver.order();
  await seedSampleData(storage, contractId, STORAGE_LOCATIONS.map((l) => l.id));
  let snapshot = await driver.handOver(contractId);
  // The server's clock is read once: a sleep lands on the instant asked for, and the few real
  // milliseconds of each renewal only move the next landing as much (asking the clock twice a
  // month would time the benchmark's own calls, not the engine).
  let clock = await env.currentTimeMs();
  const handedOver = performance.now();
  let sleeping = 0;
  for (let n = 1; n <= 120; n++) {
    const end = termEndOf(snapshot);
    const dayBefore = Date.parse(end) - 24 * 3_600_000;
    const asleep = performance.now();
    if (dayBefore > clock) await env.sleep(dayBefore - clock);
    sleeping += performance.now() - asleep;
    clock = dayBefore;
    snapshot = await driver.renew(contractId, `inv-${n}`, end, addDuration(end, 'P1M'), new Date(dayBefore).toISOString());
  }
  const renewed = performance.now();
  const final = await driver.destructionFinished(contractId);
  const destroyed = performance.now();
  const elapsed = seconds(started);
  const events = await view.store.readStream(contractId);
  const renewals = events.filter((e) => e.type === 'RenewalAccepted').length;
  // The certificate is the contract's last fact; its email's receipt follows it.
  const lastFact = factsOf(events).at(-1)?.type;
  if (final.state.status !== 'destroyed' || renewals !== 120 || lastFact !== 'DestructionCompleted') {
    throw new Error(`the 10-year contract ended ${final.state.status} with ${renewals} renewals, its last fact ${lastFact}`);
  }
  console.log(`(d) ${renewals} renewals, then expiry and destruction: ${events.length} events`);
  console.log(
    `(d) order and hand-over ${fmt((handedOver - started) / 1000, 2)} s; 120 months ${fmt((renewed - handedOver) / 1000, 2)} s ` +
      `(time skipped to the day before each term end ${fmt(sleeping / 1000, 2)} s, renewals ${fmt((renewed - handedOver - sleeping) / 1000, 2)} s); ` +
      `expiry and destruction ${fmt((destroyed - renewed) / 1000, 2)} s`,
  );
  console.log(`10-year contract: ${fmt(elapsed, 2)} s`);
  await cleanups.pop()!();
  await cleanups.pop()!();
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
