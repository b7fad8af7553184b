import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { type DataSource } from 'typeorm';
import { STORAGE_LOCATIONS, type OrderContract } from '#domain';
import { loadConfig, type AppConfig } from '#infra/config/config';
import { createDataSource } from '#infra/database/data-source';
import { waitFor } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { type EventStore, type RecordedEvent } from '#infra/event-store/event-store';
import { dataConverter } from '#infra/temporal/connection';
import {
  acceptRenewalUpdate,
  contractWorkflowId,
  handOverCredentialsUpdate,
  terminateUpdate,
  type ContractSnapshot,
} from '#infra/temporal/messages';
import { CredentialVault } from '#infra/vault/credential-vault';
import { storageRegistry, type StorageRegistry } from '../../apps/worker/src/storage/registry';
import { seedSampleData } from '../../apps/worker/src/storage/seed';
import { orderContract } from '#infra/temporal/contract-client';
import { orderData, TEST_SETTINGS } from './orders';
import { type contractWorkflow } from '../../apps/worker/src/workflows';

/*
 * Helpers for the durability tests (test/int/durability, test/e2e/worker-*) and bench/lifecycle.ts:
 * a client that drives contracts the way the API does, storage that can be slowed down, and
 * readers of the evidence. Free of vitest, so the benchmark can use it too.
 */

/** The development keys every test process shares with the workers it starts (payload codec, vault). */
export const TEST_CONFIG: AppConfig = loadConfig({ NODE_ENV: 'test' });

const MANAGER = { role: 'account_manager' } as const;
const BILLING = { role: 'billing' } as const;

/** A Temporal client with the engine's data converter: payloads are encrypted (connection.ts). */
export async function engineClient(address: string): Promise<Client> {
  const connection = await Connection.connect({ address });
  return new Client({ connection, namespace: 'default', dataConverter: dataConverter(TEST_CONFIG) });
}

export interface StoreView {
  readonly dataSource: DataSource;
  readonly store: EventStore;
  readonly vault: CredentialVault;
  close(): Promise<void>;
}

/** The test's own view of a contract database: the event store and the vault, on a small pool. */
export async function storeView(url: string): Promise<StoreView> {
  const dataSource = createDataSource({ url, poolSize: 3, applicationName: 'dpa-durability-test' });
  await dataSource.initialize();
  return {
    dataSource,
    store: createEventStore(dataSource),
    vault: new CredentialVault(dataSource, TEST_CONFIG.vaultKeys),
    close: () => dataSource.destroy(),
  };
}

export type ContractHandle = WorkflowHandle<typeof contractWorkflow>;

/** Issues commands to contract workflows as the API does: start + wait for the order, then updates. */
export class ContractDriver {
  constructor(
    readonly client: Client,
    readonly taskQueue: string,
    private readonly vault: CredentialVault,
  ) {}

  handle(contractId: string): ContractHandle {
    return this.client.workflow.getHandle(contractWorkflowId(contractId));
  }

  /** L1: starts the contract's workflow and answers once the order is in the event store. */
  async order(data: Partial<OrderContract['data']> = {}): Promise<{ contractId: string; snapshot: ContractSnapshot }> {
    const contractId = data.contractId ?? randomUUID();
    const order = orderData(contractId, new Date().toISOString(), data);
    const { created: _created, ...snapshot } = await orderContract(this.client, { taskQueue: this.taskQueue, settings: TEST_SETTINGS, order, actor: MANAGER });
    return { contractId, snapshot };
  }

  /** L2: seals and stores a credential (vault) as the API does, and hands it over; processing starts. */
  async handOver(contractId: string): Promise<ContractSnapshot> {
    const credentialId = randomUUID();
    await this.vault.store(contractId, credentialId, 'ssh', 'web-1.acme.example', await this.vault.seal(contractId, credentialId, { username: 'acme', secret: `s3cret-${credentialId.slice(0, 8)}` }));
    return this.handle(contractId).executeUpdate(handOverCredentialsUpdate, {
      args: [{ credentialId, kind: 'ssh', host: 'web-1.acme.example', actor: MANAGER }],
    });
  }

  /** L3: the billing system's acceptance of an invoice covering the next period after `termEnd`. */
  renew(contractId: string, invoiceId: string, termEnd: string, nextEnd: string, acceptedAt = new Date().toISOString()): Promise<ContractSnapshot> {
    return this.handle(contractId).executeUpdate(acceptRenewalUpdate, {
      args: [{ invoiceId, coveredPeriod: { start: termEnd, end: nextEnd }, acceptedAt, actor: BILLING }],
    });
  }

  /** L6: ends processing now; destruction follows in its own workflow. */
  terminate(contractId: string, reason = 'durability test'): Promise<ContractSnapshot> {
    return this.handle(contractId).executeUpdate(terminateUpdate, { args: [{ reason, actor: MANAGER }] });
  }

  /** Resolves when the contract's workflow (through its continue-as-new runs) has destroyed the data. */
  destructionFinished(contractId: string): Promise<ContractSnapshot> {
    return this.handle(contractId).result();
  }
}

export interface SlowLocation {
  readonly batchSize: number;
  readonly throttleMs: number;
}

/**
 * Storage for one test under `root`: every catalog location is a folder; the `slow` ones delete
 * `batchSize` files per step with a pause between steps (STORAGE_LOCATIONS), so a destruction
 * is still running when the test interferes with the worker.
 */
export function testStorage(root: string, slow: Readonly<Record<string, SlowLocation>> = {}) {
  const locations = Object.fromEntries(
    Object.entries(slow).map(([id, s]) => [id, { adapter: 'filesystem', root: path.join(root, id), batchSize: s.batchSize, throttleMs: s.throttleMs }]),
  );
  const env: Record<string, string> = {
    STORAGE_ROOT: root,
    EXPORT_ROOT: path.join(root, 'exports'),
    ...(Object.keys(locations).length ? { STORAGE_LOCATIONS: JSON.stringify(locations) } : {}),
  };
  const registry: StorageRegistry = storageRegistry(loadConfig({ NODE_ENV: 'test', ...env }));
  const folder = (locationId: string, contractId: string) => path.join(root, locationId, contractId);
  const doomed = (locationId: string, contractId: string) => path.join(root, locationId, `.destroying-${contractId}`);
  return {
    env,
    registry,
    locationIds: STORAGE_LOCATIONS.map((l) => l.id),
    /** Writes `files` sample files at every location (seed.ts). */
    seed: (contractId: string, files: number) => seedSampleData(registry, contractId, STORAGE_LOCATIONS.map((l) => l.id), files),
    /** Files left for the contract at a location, counting a folder being destroyed. */
    filesLeft(locationId: string, contractId: string): number {
      return [folder(locationId, contractId), doomed(locationId, contractId)].reduce((n, dir) => n + countFiles(dir), 0);
    },
    /** True while a destroyLocation attempt is part-way: the folder is moved aside and partly deleted. */
    destroying(locationId: string, contractId: string): boolean {
      return fs.existsSync(doomed(locationId, contractId)) && countFiles(doomed(locationId, contractId)) > 0;
    },
    /** Nothing at all is left of the contract at this location (neither folder exists). */
    gone(locationId: string, contractId: string): boolean {
      return !fs.existsSync(folder(locationId, contractId)) && !fs.existsSync(doomed(locationId, contractId));
    },
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

export type TestStorage = ReturnType<typeof testStorage>;

function countFiles(dir: string): number {
  try {
    return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
}

/** Polls the store until the contract's stream holds an event matching `predicate`. */
export async function waitForEvent(store: EventStore, contractId: string, predicate: (e: RecordedEvent) => boolean, timeoutMs = 60_000): Promise<RecordedEvent> {
  let found: RecordedEvent | undefined;
  await waitFor(
    `an event of ${contractId}`,
    async () => {
      found = (await store.readStream(contractId)).find(predicate);
      return found !== undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
  return found!;
}

/** How many times each value occurs: `{ 'web-platform': 1, … }`. */
export function tally(values: readonly unknown[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
  return out;
}

/** The peak resident set size (VmHWM) and current RSS of a process, in MiB, from /proc. */
export function processMemory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}
