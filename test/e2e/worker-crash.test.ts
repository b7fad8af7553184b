import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { type Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '#infra/dev/processes';
import { startWorker, type RunningApp } from '../support/apps';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { ContractDriver, engineClient, storeView, tally, testStorage, waitForEvent, type StoreView, type TestStorage } from '../support/durability';
import { startMailCatcher } from '../support/mail';

// The web platform deletes 2 files per step, 250 ms apart: 60 files keep it busy ≈ 7.5 s; the
// other locations are quick and are destroyed before the crash.
const FILES = 60;
const SLOW = { 'web-platform': { batchSize: 2, throttleMs: 250 } };

describe('the worker process killed (SIGKILL) in the middle of a destruction', () => {
  let db: TestDatabase;
  let view: StoreView;
  let client: Client;
  let mail: Awaited<ReturnType<typeof startMailCatcher>>;
  let storage: TestStorage;
  const workers: RunningApp[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    view = await storeView(db.url);
    client = await engineClient(inject('temporalAddress'));
    mail = await startMailCatcher();
    storage = testStorage(path.join(inject('runDir'), `worker-crash-${randomUUID()}`), SLOW);
    env = {
      DATABASE_URL: db.url,
      DATABASE_POOL_SIZE: '4',
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: `crash-${randomUUID()}`,
      SMTP_URL: mail.url,
      ...storage.env,
    };
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop(5_000)));
    await client?.connection.close();
    await view?.close();
    await mail?.stop();
    await db?.drop();
    storage?.remove();
  });

  it('P11/L10: a new worker finishes the destruction; every location is destroyed exactly once with its pre-destruction inventory as evidence, the certificate is issued once, the chain verifies', async () => {
    const first = await startWorker(env);
    workers.push(first);
    const driver = new ContractDriver(client, env.TEMPORAL_TASK_QUEUE!, view.vault);
    const { contractId } = await driver.order({ reference: 'CRASH-1' });
    await storage.seed(contractId, FILES);
    await driver.handOver(contractId);
    await driver.terminate(contractId);

    await waitForEvent(view.store, contractId, (e) => e.type === 'DestructionStarted', 30_000);
    await waitForEvent(view.store, contractId, (e) => e.type === 'LocationDestroyed', 30_000);
    await waitFor(
      'destroyLocation part-way at the web platform',
      async () => storage.destroying('web-platform', contractId) && storage.filesLeft('web-platform', contractId) < FILES,
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const before = await view.store.readStream(contractId);
    const leftAtCrash = storage.filesLeft('web-platform', contractId);
    expect(leftAtCrash).toBeGreaterThan(0);
    expect(leftAtCrash).toBeLessThan(FILES);
    expect(before.some((e) => e.type === 'LocationDestroyed' && e.data.locationId === 'web-platform')).toBe(false);
    expect(before.some((e) => e.type === 'DestructionCompleted')).toBe(false);

    // The killed attempt is retried once its heartbeat times out (contract.destruction.ts: 20 seconds).
    const second = await startWorker(env);
    workers.push(second);
    const final = await driver.destructionFinished(contractId);
    expect(final.state.status).toBe('destroyed');

    const events = await view.store.readStream(contractId);
    expect(events.slice(0, before.length).map((e) => e.eventId)).toEqual(before.map((e) => e.eventId));
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    const destroyed = events.filter((e) => e.type === 'LocationDestroyed');
    expect(tally(destroyed.map((e) => e.data.locationId))).toEqual(Object.fromEntries(storage.locationIds.map((id) => [id, 1])));
    // The interrupted location's evidence is what it held before deletion began, not what the retry found.
    for (const e of destroyed) expect(e.data).toMatchObject({ evidence: { objectCount: FILES, method: 'filesystem-unlink' } });
    expect(events.filter((e) => e.type === 'LocationDestructionFailed')).toEqual([]);
    for (const id of storage.locationIds) expect(storage.gone(id, contractId)).toBe(true);

    const completed = events.filter((e) => e.type === 'DestructionCompleted');
    expect(completed).toHaveLength(1);
    // The certificate is the contract's last fact; only its email's receipt (once) follows it.
    expect(completed[0]).toBe(events.filter((e) => e.type !== 'EmailSent').at(-1));
    expect(events.filter((e) => e.type === 'EmailSent').map((e) => e.data.kind)).toEqual(['certificate']);
    const certificate = completed[0]!.data.certificate as { locations: { id: string }[]; withinDeadline: boolean };
    expect(certificate.locations.map((l) => l.id).sort()).toEqual([...storage.locationIds].sort());
    expect(certificate.withinDeadline).toBe(true);
    expect(await view.store.verify(contractId)).toEqual({ valid: true, events: events.length });

    await mail.waitFor((m) => m.subject.includes('CRASH-1'));
    expect(mail.messages.filter((m) => m.subject.includes('CRASH-1'))).toHaveLength(1);
  });
});
