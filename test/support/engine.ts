import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { type DataSource } from 'typeorm';
import { expect, inject } from 'vitest';
import { STORAGE_LOCATIONS, TIMER_TOLERANCE_MS, type ContractEvent, type OrderContract } from '#domain';
import { loadConfig, type AppConfig } from '#infra/config/config';
import { projectRoot } from '#infra/dev/project-root';
import { createDataSource } from '#infra/database/data-source';
import { createEventStore } from '#infra/event-store/streams';
import { type EventStore, type RecordedEvent } from '#infra/event-store/event-store';
import { temporalBinaries } from '#infra/temporal/binaries';
import { dataConverter } from '#infra/temporal/connection';
import { orderContract } from '#infra/temporal/contract-client';
import { contractWorkflowId, DOMAIN_FAILURE, handOverCredentialsUpdate, type DomainFailureDetails, type EngineSettings } from '#infra/temporal/messages';
import { CredentialVault, type CredentialSecret } from '#infra/vault/credential-vault';
import { seedSampleData } from '../../apps/worker/src/storage/seed';
import { FilesystemAdapter } from '../../apps/worker/src/storage/filesystem-adapter';
import { ensureDefaultRoots, storageRegistry, type StorageRegistry } from '../../apps/worker/src/storage/registry';
import { bundleWorkflows, createWorkerRuntime, type WorkerRuntime } from '../../apps/worker/src/worker';
import { type contractWorkflow } from '../../apps/worker/src/workflows';
import { createTestDatabase, type TestDatabase } from './database';
import { startMailCatcher } from './mail';
import { orderData, TEST_SETTINGS } from './orders';
import { settled } from './settled';

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

/** Quiet Temporal runtime logs (failed activity attempts are expected here); the runtime is a per-process singleton, installed once. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
}

/** The workflow bundle, built once per test run and shared by its test files through the run's folder. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= sharedBundle();
  return bundle;
}

async function sharedBundle(): Promise<WorkflowBundleWithSourceMap> {
  const file = path.join(inject('runDir'), 'workflow-bundle.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
  const built = await bundleWorkflows();
  const partial = `${file}.${process.pid}`;
  fs.writeFileSync(partial, JSON.stringify(built));
  fs.renameSync(partial, file);
  return built;
}

/** The actors workflow tests send commands as. */
export const BILLING = { role: 'billing' } as const;
export const MANAGER = { role: 'account_manager' } as const;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** `instant` moved by `by` milliseconds. */
export const shift = (instant: string, by: number) => new Date(Date.parse(instant) + by).toISOString();

/** Recorded workflow histories, replayed against the current workflow code by replay.test.ts. */
export const HISTORIES_DIR = path.join(projectRoot(), 'test', 'histories');

/**
 * With RECORD_HISTORIES=1, writes the history of the run `handle` points at (the latest run
 * unless it names one) to test/histories/<name><RECORD_HISTORIES_SUFFIX>.json, payloads encrypted as the server holds them.
 */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // RECORD_HISTORIES_SUFFIX keeps older recordings beside new ones: both must keep replaying (patches).
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}${process.env.RECORD_HISTORIES_SUFFIX ?? ''}.json`), `${historyToJSON(await handle.fetchHistory())}\n`);
}

/** The domain's answer to a refused update: an ApplicationFailure of type DomainError. */
export async function domainRefusal(update: Promise<unknown>): Promise<DomainFailureDetails> {
  const error = await update.then(
    () => expect.fail('the update was expected to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(DOMAIN_FAILURE);
  return (cause as ApplicationFailure).details![0] as DomainFailureDetails;
}

/**
 * A timer's recorded fact when the worker was up: due exactly at `dueAt` (computed by the test),
 * acted on at or after it and within the tolerance — never the planned instant copied over.
 */
export function expectActedOnTime(fact: { readonly dueAt: string; readonly actedAt: string } | undefined, dueAt: string): void {
  expect(fact?.dueAt).toBe(dueAt);
  const lag = Date.parse(fact!.actedAt) - Date.parse(dueAt);
  expect(lag).toBeGreaterThanOrEqual(0);
  expect(lag).toBeLessThan(TIMER_TOLERANCE_MS);
}

/** The data of every stored event of one type, typed as the domain declares it. */
export function dataOf<T extends ContractEvent['type']>(events: readonly RecordedEvent[], type: T): EventData<T>[] {
  return events.filter((e) => e.type === type).map((e) => e.data as EventData<T>);
}

type EventData<T extends ContractEvent['type']> = Extract<ContractEvent, { type: T }>['data'];

export interface TimeSkippingEngine {
  readonly env: TestWorkflowEnvironment;
  readonly config: AppConfig;
  readonly db: TestDatabase;
  readonly store: EventStore;
  readonly vault: CredentialVault;
  readonly dataSource: DataSource;
  readonly storage: StorageRegistry;
  readonly storageRoot: string;
  readonly mail: Awaited<ReturnType<typeof startMailCatcher>>;
  /** The worker running now (a new one after `startWorker`). */
  readonly runtime: WorkerRuntime;
  readonly worker: Worker;
  readonly taskQueue: string;
  /** Shuts the worker down as SIGTERM does (in-flight tasks finish) and closes its pool. */
  stopWorker(): Promise<void>;
  /** Starts a new worker process's runtime on the same task queue. */
  startWorker(): Promise<void>;
  /** Moves the test server's clock to `instant` (it never goes back). */
  sleepUntil(instant: string): Promise<void>;
  now(): Promise<string>;
  /** Orders as the API does (update-with-start): answers once the order is stored. */
  order(data?: Partial<OrderContract['data']>, settings?: EngineSettings): Promise<{ contractId: string; handle: WorkflowHandleWithFirstExecutionRunId<typeof contractWorkflow> }>;
  /** Hands over one SSH credential, sealed and stored by the vault as the API does; answers the anchor (L2). */
  handOver(contractId: string, credential?: CredentialSecret): Promise<{ credentialId: string; anchor: string }>;
  /** The run ids of a workflow, first to latest, following continue-as-new. */
  runs(workflowId: string, firstRunId: string): Promise<string[]>;
  /** The contract's own events: the receipts of its emails (EmailSent) aside — see `receipts`. */
  events(contractId: string): Promise<RecordedEvent[]>;
  /** Waits until a file's trail holds `count` email receipts, and answers them. */
  receipts(streamId: string, count: number): Promise<RecordedEvent[]>;
  waitForDestruction(contractId: string): Promise<void>;
  /**
   * Waits until every email is sent and reported and these workflows have no work in flight
   * (test/support/settled.ts): assert "nothing more happened" after this.
   */
  settled(workflowIds: readonly string[]): Promise<void>;
  teardown(): Promise<void>;
}

/**
 * A real time-skipping test server (the official binary), a real PostgreSQL database, the real
 * worker wiring (activities, storage on disk, outbox to a real SMTP server).
 */
export async function timeSkippingEngine(options: { storage?: (registry: StorageRegistry) => StorageRegistry; env?: Record<string, string> } = {}): Promise<TimeSkippingEngine> {
  quietTemporalRuntime();
  const db = await createTestDatabase();
  const mail = await startMailCatcher();
  const storageRoot = path.join(inject('runDir'), `storage-${randomUUID()}`);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '5',
    SMTP_URL: mail.url,
    STORAGE_ROOT: storageRoot,
    EXPORT_ROOT: path.join(storageRoot, 'exports'),
    PROCESSOR_DPO_EMAIL: 'dpo@processor.example',
    ...options.env,
  });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: temporalBinaries().testServer } },
    client: { dataConverter: dataConverter(config) },
  });
  const taskQueue = `contracts-${randomUUID()}`;
  const base = storageRegistry(config);
  await ensureDefaultRoots(config);
  const storage = options.storage ? options.storage(base) : base;
  const startRuntime = async () =>
    createWorkerRuntime({
      config,
      connection: env.nativeConnection,
      logger: pino({ level: 'warn' }),
      taskQueue,
      storage,
      workflowBundle: await workflowBundle(),
      outboxIntervalMs: 100,
      outboxMaxRetrySeconds: 1,
    });
  let runtime: WorkerRuntime | null = await startRuntime();
  let running: Promise<void> = runtime.worker.run();
  const stopRuntime = async () => {
    if (!runtime) return;
    runtime.worker.shutdown();
    await running.catch(() => undefined);
    await runtime.close();
    runtime = null;
  };
  // The engine's own pool: the worker's closes with it.
  const dataSource = createDataSource({ url: config.database.url, poolSize: 2, applicationName: 'dpa-test' });
  await dataSource.initialize();
  const store = createEventStore(dataSource);
  const engine: TimeSkippingEngine = {
    env,
    config,
    db,
    store,
    vault: new CredentialVault(dataSource, config.vaultKeys),
    dataSource,
    storage,
    storageRoot,
    mail,
    get runtime() {
      if (!runtime) throw new Error('the worker is stopped');
      return runtime;
    },
    get worker() {
      return engine.runtime.worker;
    },
    taskQueue,
    stopWorker: stopRuntime,
    async startWorker() {
      if (runtime) throw new Error('the worker is already running');
      runtime = await startRuntime();
      running = runtime.worker.run();
    },
    async sleepUntil(instant) {
      const ms = Date.parse(instant) - (await env.currentTimeMs());
      if (ms > 0) await env.sleep(ms);
    },
    async now() {
      return new Date(await env.currentTimeMs()).toISOString();
    },
    async order(data = {}, settings = TEST_SETTINGS) {
      const contractId = data.contractId ?? randomUUID();
      const orderedAt = await engine.now();
      await orderContract(env.client, { taskQueue, settings, order: orderData(contractId, orderedAt, data), actor: MANAGER });
      const { runId } = await env.client.workflow.getHandle(contractWorkflowId(contractId)).describe();
      const handle = Object.assign(env.client.workflow.getHandle<typeof contractWorkflow>(contractWorkflowId(contractId)), { firstExecutionRunId: runId });
      // Folders are seeded here; a remote (SFTP) location's test seeds the server's disk itself.
      await seedSampleData(base, contractId, STORAGE_LOCATIONS.map((l) => l.id).filter((id) => base.get(id) instanceof FilesystemAdapter));
      return { contractId, handle };
    },
    async handOver(contractId, credential = { username: 'acme', secret: 'sup3r-s3cret-pass' }) {
      const credentialId = randomUUID();
      await engine.vault.store(contractId, credentialId, 'ssh', 'web-1.acme.example', await engine.vault.seal(contractId, credentialId, credential));
      const { state } = await env.client.workflow.getHandle(contractWorkflowId(contractId)).executeUpdate(handOverCredentialsUpdate, {
        args: [{ credentialId, kind: 'ssh', host: 'web-1.acme.example', actor: { role: 'account_manager' } }],
      });
      if (state.status !== 'active') throw new Error(`hand-over left the contract ${state.status}`);
      return { credentialId, anchor: state.processingStartedAt };
    },
    async runs(workflowId, firstRunId) {
      const runs = [firstRunId];
      for (;;) {
        const { events } = await env.client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory();
        const next = events?.find((e) => e.workflowExecutionContinuedAsNewEventAttributes)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        if (!next) return runs;
        runs.push(next);
      }
    },
    events: async (contractId) => (await store.readStream(contractId)).filter((e) => e.type !== 'EmailSent'),
    async receipts(streamId, count) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const receipts = (await store.readStream(streamId)).filter((e) => e.type === 'EmailSent');
        if (receipts.length >= count) return receipts;
        if (Date.now() > deadline) throw new Error(`${streamId} holds ${receipts.length} email receipts, not ${count}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForDestruction(contractId) {
      // The contract's one workflow (through its continue-as-new runs) ends with the certificate.
      await env.client.workflow.getHandle(contractWorkflowId(contractId)).result();
    },
    settled: (workflowIds) => settled({ databaseUrl: db.url, client: env.client, workflowIds }),
    async teardown() {
      await stopRuntime();
      await dataSource.destroy();
      await env.teardown();
      await mail.stop();
      await db.drop();
      fs.rmSync(storageRoot, { recursive: true, force: true });
    },
  };
  return engine;
}
