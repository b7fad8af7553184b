import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startWorker, type RunningApp } from '../support/apps';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ContractDriver, engineClient, storeView, tally, testStorage, type StoreView, type TestStorage } from '../support/durability';
import { startMailCatcher } from '../support/mail';

let db: TestDatabase;
let view: StoreView;
let client: Client;
let mail: Awaited<ReturnType<typeof startMailCatcher>>;
const workers: RunningApp[] = [];
const storages: TestStorage[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  view = await storeView(db.url);
  client = await engineClient(inject('temporalAddress'));
  mail = await startMailCatcher();
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop(5_000)));
  await client?.connection.close();
  await view?.close();
  await mail?.stop();
  await db?.drop();
  for (const s of storages) s.remove();
});

/**
 * One contract on its own task queue whose web platform deletes `batchSize` files per step,
 * `throttleMs` apart; the first worker gets SIGTERM once that deletion is part-way.
 */
async function terminatedWhileDestroying(options: { files: number; batchSize: number; throttleMs: number; graceMs: number }) {
  const storage = testStorage(path.join(inject('runDir'), `worker-shutdown-${randomUUID()}`), {
    'web-platform': { batchSize: options.batchSize, throttleMs: options.throttleMs },
  });
  storages.push(storage);
  const env = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '4',
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `shutdown-${randomUUID()}`,
    SMTP_URL: mail.url,
    WORKER_SHUTDOWN_GRACE: String(options.graceMs),
    ...storage.env,
  };
  const start = async () => {
    const worker = await startWorker(env);
    workers.push(worker);
    return worker;
  };
  const first = await start();
  const driver = new ContractDriver(client, env.TEMPORAL_TASK_QUEUE, view.vault);
  const { contractId } = await driver.order();
  await storage.seed(contractId, options.files);
  await driver.handOver(contractId);
  await driver.terminate(contractId);
  await waitFor(
    'destroyLocation part-way at the web platform',
    async () => storage.destroying('web-platform', contractId) && storage.filesLeft('web-platform', contractId) < options.files,
    { timeoutMs: 30_000, intervalMs: 20 },
  );
  const signalledAt = Date.now();
  first.child.kill('SIGTERM');
  const code = await first.exited;
  return { storage, driver, contractId, first, code, exitMs: Date.now() - signalledAt, filesLeftAtExit: storage.filesLeft('web-platform', contractId), start };
}

/** The evidence once destruction is over: each location destroyed once, with what it held before. */
async function expectDestroyedOnce(storage: TestStorage, contractId: string, files: number): Promise<void> {
  const events = await view.store.readStream(contractId);
  expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
  const destroyed = events.filter((e) => e.type === 'LocationDestroyed');
  expect(tally(destroyed.map((e) => e.data.locationId))).toEqual(Object.fromEntries(storage.locationIds.map((id) => [id, 1])));
  for (const e of destroyed) expect(e.data).toMatchObject({ evidence: { objectCount: files, method: 'filesystem-unlink' } });
  expect(events.filter((e) => e.type === 'LocationDestructionFailed')).toEqual([]);
  expect(events.filter((e) => e.type === 'DestructionCompleted')).toHaveLength(1);
  for (const id of storage.locationIds) expect(storage.gone(id, contractId)).toBe(true);
  expect(await view.store.verify(contractId)).toMatchObject({ valid: true });
}

// Both run at once (own task queues, own storage): the second waits out a one-minute heartbeat timeout.
describe.concurrent('the worker process stopped with SIGTERM during a destruction', () => {
  it('lets an in-flight destroyLocation that fits in WORKER_SHUTDOWN_GRACE finish, exits 0, and the next worker completes the destruction: each location destroyed once, nothing left', async () => {
    // 40 files, 2 per step, 250 ms apart: ≈ 5 s of deletion against a 20 s grace.
    const files = 40;
    const run = await terminatedWhileDestroying({ files, batchSize: 2, throttleMs: 250, graceMs: 20_000 });
    expect(run.code).toBe(0);
    expect(run.first.lines.some((l) => l.includes('worker stopped'))).toBe(true);
    // The attempt ran to its end on the stopping worker: nothing was cut short.
    expect(run.filesLeftAtExit).toBe(0);
    expect(run.storage.gone('web-platform', run.contractId)).toBe(true);
    expect((await view.store.readStream(run.contractId)).some((e) => e.type === 'DestructionCompleted')).toBe(false);

    await run.start();
    expect((await run.driver.destructionFinished(run.contractId)).state.status).toBe('destroyed');
    await expectDestroyedOnce(run.storage, run.contractId, files);
  });

  it('exits soon after WORKER_SHUTDOWN_GRACE when a destroyLocation outlasts it (the deletion stops on cancellation); the next worker retries the cut-short attempt and completes the destruction once per location', async () => {
    // 60 files, 2 per step, 500 ms apart: ≈ 15 s of deletion against a 1 s grace.
    const files = 60;
    const run = await terminatedWhileDestroying({ files, batchSize: 2, throttleMs: 500, graceMs: 1_000 });
    expect(run.exitMs).toBeLessThan(1_000 + 5_000);
    expect(run.code).toBe(0);
    expect(run.filesLeftAtExit).toBeGreaterThan(0);
    expect((await view.store.readStream(run.contractId)).some((e) => e.type === 'DestructionCompleted')).toBe(false);

    await run.start();
    expect((await run.driver.destructionFinished(run.contractId)).state.status).toBe('destroyed');
    await expectDestroyedOnce(run.storage, run.contractId, files);
  });
});
