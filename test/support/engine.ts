import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import pino from 'pino';
import { type DataSource } from 'typeorm';
import { inject } from 'vitest';
import { STORAGE_LOCATIONS, type OrderContract } from '../../libs/domain/src';
import { loadConfig, type AppConfig } from '../../libs/infra/src/config/config';
import { createContractEventStore } from '../../libs/infra/src/event-store/contract-stream';
import { type EventStore, type RecordedEvent } from '../../libs/infra/src/event-store/event-store';
import { temporalBinaries } from '../../libs/infra/src/temporal/binaries';
import { dataConverter } from '../../libs/infra/src/temporal/connection';
import { contractWorkflowId, destructionWorkflowId, type ContractWorkflowInput } from '../../libs/infra/src/temporal/messages';
import { CredentialVault } from '../../libs/infra/src/vault/credential-vault';
import { seedSampleData } from '../../apps/worker/src/storage/seed';
import { storageRegistry, type StorageRegistry } from '../../apps/worker/src/storage/registry';
import { bundleWorkflows, createWorkerRuntime, type WorkerRuntime } from '../../apps/worker/src/worker';
import { contractWorkflow } from '../../apps/worker/src/workflows';
import { createTestDatabase, type TestDatabase } from './database';
import { startMailCatcher } from './mail';

let bundle: Promise<WorkflowBundleWithSourceMap> | null = null;

/** Quiet Temporal runtime logs; the runtime is a per-process singleton, installed once. */
export function quietTemporalRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this process.
  }
}

/** The workflow bundle, built once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

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
  readonly runtime: WorkerRuntime;
  readonly worker: Worker;
  readonly taskQueue: string;
  /** Moves the test server's clock to `instant` (it never goes back). */
  sleepUntil(instant: string): Promise<void>;
  now(): Promise<string>;
  order(data?: Partial<OrderContract['data']>): Promise<{ contractId: string; handle: WorkflowHandle<typeof contractWorkflow> }>;
  events(contractId: string): Promise<RecordedEvent[]>;
  waitForDestruction(contractId: string): Promise<void>;
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
  const storage = options.storage ? options.storage(base) : base;
  const runtime = await createWorkerRuntime({
    config,
    connection: env.nativeConnection,
    logger: pino({ level: 'warn' }),
    taskQueue,
    storage,
    workflowBundle: await workflowBundle(),
    outboxIntervalMs: 100,
  });
  const running = runtime.worker.run();
  const dataSource = runtime.dataSource;
  const store = createContractEventStore(dataSource);
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
    runtime,
    worker: runtime.worker,
    taskQueue,
    async sleepUntil(instant) {
      const ms = Date.parse(instant) - (await env.currentTimeMs());
      if (ms > 0) await env.sleep(ms);
    },
    async now() {
      return new Date(await env.currentTimeMs()).toISOString();
    },
    async order(data = {}) {
      const contractId = data.contractId ?? randomUUID();
      const orderedAt = await engine.now();
      const input: ContractWorkflowInput = {
        contractId,
        settings: { escalationMargin: 'P7D' },
        actor: { role: 'account_manager' },
        order: {
          contractId,
          reference: null,
          controller: { name: 'Acme SAS', email: 'privacy@acme.example', address: '1 rue de la Paix, 75002 Paris', dpoEmail: null },
          billingPeriod: 'P1M',
          catalog: null,
          returnWindow: null,
          renewalGracePeriod: null,
          orderedAt,
          ...data,
        },
      };
      const handle = await env.client.workflow.start(contractWorkflow, { workflowId: contractWorkflowId(contractId), taskQueue, args: [input] });
      await seedSampleData(storage, contractId, STORAGE_LOCATIONS.map((l) => l.id));
      return { contractId, handle };
    },
    events: (contractId) => store.readStream(contractId),
    async waitForDestruction(contractId) {
      // The contract workflow (through its continue-as-new runs) hands over to the destruction workflow.
      await env.client.workflow.getHandle(contractWorkflowId(contractId)).result();
      await env.client.workflow.getHandle(destructionWorkflowId(contractId)).result();
    },
    async teardown() {
      runtime.worker.shutdown();
      await running.catch(() => undefined);
      await runtime.close();
      await env.teardown();
      await mail.stop();
      await db.drop();
      fs.rmSync(storageRoot, { recursive: true, force: true });
    },
  };
  return engine;
}
