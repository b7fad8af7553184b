import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addDuration } from '#domain';
import { loadConfig } from '#infra/config/config';
import { migrate } from '#infra/database/data-source';
import { freePort, waitFor } from '#infra/dev/processes';
import { startPostgres, type PostgresService } from '#infra/dev/services';
import { type ContractSnapshot } from '#infra/temporal/messages';
import { createWorkerRuntime, type WorkerRuntime } from '../../../apps/worker/src/worker';
import { ContractDriver, engineClient, storeView, type StoreView } from '../../support/durability';
import { workflowBundle } from '../../support/engine';

// Contracts renewing in a loop while PostgreSQL goes away; a few more receive their first update
// (or their order) only while it is away.
const LANES = 5;
const RENEWALS = 6;
const LATE = 2;
const OUTAGE_MS = 4_000;

const dir = path.join(inject('runDir'), `postgres-outage-${randomUUID()}`);
let port: number;
let postgres: PostgresService;
let connection: NativeConnection;
let runtime: WorkerRuntime;
let running: Promise<void>;
let client: Client;
let view: StoreView;
let driver: ContractDriver;

const startOwnPostgres = () => startPostgres({ dataDir: path.join(dir, 'pg'), port });

beforeAll(async () => {
  try {
    // Appends fail on purpose during the outage: keep the runtime's warning per failed attempt out of the output.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
  port = await freePort();
  postgres = await startOwnPostgres();
  await migrate(postgres.url);
  const taskQueue = `outage-${randomUUID()}`;
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: postgres.url, DATABASE_POOL_SIZE: '5', STORAGE_ROOT: path.join(dir, 'storage'), EXPORT_ROOT: path.join(dir, 'exports') });
  connection = await NativeConnection.connect({ address: inject('temporalAddress') });
  runtime = await createWorkerRuntime({ config, connection, logger: pino({ level: 'silent' }), taskQueue, workflowBundle: await workflowBundle() });
  running = runtime.worker.run();
  client = await engineClient(inject('temporalAddress'));
  view = await storeView(postgres.url);
  driver = new ContractDriver(client, taskQueue, view.vault);
});
afterAll(async () => {
  runtime?.worker.shutdown();
  await running?.catch(() => undefined);
  await runtime?.close();
  await connection?.close();
  await client?.connection.close();
  await view?.close();
  await postgres?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const termEndOf = (s: ContractSnapshot) => {
  if (s.state.status !== 'active') throw new Error(`contract is ${s.state.status}, not active`);
  return s.state.termEnd;
};

/** Order, hand-over, then `renewals` acceptances one after the other, each extending the term by P1M. */
async function renewingLane(contractId: string, from: ContractSnapshot, renewals: number): Promise<void> {
  let snapshot = from;
  for (let n = 1; n <= renewals; n++) {
    const end = termEndOf(snapshot);
    snapshot = await driver.renew(contractId, `inv-${n}`, end, addDuration(end, 'P1M'));
  }
}

async function renewalsInStore(ids: readonly string[]): Promise<number> {
  const [row] = (await view.dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RenewalAccepted' AND stream_id = ANY($1)`, [ids])) as { n: number }[];
  return row!.n;
}

type Outage = (postgres: PostgresService) => Promise<void>;

const stop: Outage = (pg) => pg.stop();
// SIGKILL of the postmaster: no shutdown checkpoint; the restart replays the WAL (crash recovery).
const crash: Outage = async (pg) => {
  process.kill(pg.postmasterPid, 'SIGKILL');
  await pg.exited;
};

describe('PostgreSQL goes away while contracts receive updates, and comes back on the same data directory', () => {
  for (const [how, outage] of [['stopped', stop], ['killed (SIGKILL of the postmaster)', crash]] as const) {
    it(`${how}: every event is stored exactly once, in order, chain intact; updates sent during the outage complete after the restart`, async () => {
      const lanes = await Promise.all(Array.from({ length: LANES }, () => driver.order()));
      const late = await Promise.all(Array.from({ length: LATE }, () => driver.order()));
      const handedOver = await Promise.all([...lanes, ...late].map((c) => driver.handOver(c.contractId)));
      const laneIds = lanes.map((c) => c.contractId);

      const renewing = Promise.all(lanes.map((c, i) => renewingLane(c.contractId, handedOver[i]!, RENEWALS)));
      await waitFor('some renewals stored', async () => (await renewalsInStore(laneIds)) >= LANES, { timeoutMs: 30_000, intervalMs: 20 });
      expect(await renewalsInStore(laneIds)).toBeLessThan(LANES * RENEWALS - LANES);
      await outage(postgres);
      await expect(renewalsInStore(laneIds)).rejects.toThrow();

      // Sent while PostgreSQL is down: a first renewal for the late contracts, and a new order.
      let restartedAt = Infinity;
      const completedAt: number[] = [];
      const sentDuringOutage = [
        ...late.map((c, i) =>
          driver.renew(c.contractId, 'inv-late', termEndOf(handedOver[LANES + i]!), addDuration(termEndOf(handedOver[LANES + i]!), 'P1M')).then((s) => {
            completedAt.push(Date.now());
            return s;
          }),
        ),
        driver.order({ reference: 'ORDERED-DURING-OUTAGE' }).then(({ contractId, snapshot }) => {
          completedAt.push(Date.now());
          return { ...snapshot, contractId };
        }),
      ];
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      expect(completedAt).toEqual([]);
      postgres = await startOwnPostgres();
      restartedAt = Date.now();

      const [lateA, lateB, orderedDuringOutage] = (await Promise.all(sentDuringOutage)) as [ContractSnapshot, ContractSnapshot, ContractSnapshot & { contractId: string }];
      await renewing;
      expect(completedAt.every((t) => t >= restartedAt)).toBe(true);
      expect([lateA, lateB].map((s) => s.version)).toEqual([3, 3]);
      expect(orderedDuringOutage).toMatchObject({ version: 1, state: { status: 'ordered', reference: 'ORDERED-DURING-OUTAGE' } });

      // Every stream: versions 1..n without gaps, exactly the expected events, hash chain intact.
      const expected = new Map<string, { types: readonly string[]; invoices: readonly string[] }>([
        ...laneIds.map((id) => [id, { types: ['ContractOrdered', 'CredentialsHandedOver', ...Array<string>(RENEWALS).fill('RenewalAccepted')], invoices: Array.from({ length: RENEWALS }, (_, n) => `inv-${n + 1}`) }] as const),
        ...late.map((c) => [c.contractId, { types: ['ContractOrdered', 'CredentialsHandedOver', 'RenewalAccepted'], invoices: ['inv-late'] }] as const),
        [orderedDuringOutage.contractId, { types: ['ContractOrdered'], invoices: [] }],
      ]);
      for (const [id, want] of expected) {
        const events = await view.store.readStream(id);
        expect(events.map((e) => e.version), id).toEqual(want.types.map((_, i) => i + 1));
        expect(events.map((e) => e.type), id).toEqual(want.types);
        expect(events.filter((e) => e.type === 'RenewalAccepted').map((e) => e.data.invoiceId), id).toEqual(want.invoices);
        expect(await view.store.verify(id), id).toEqual({ valid: true, events: want.types.length });
        const [readModel] = (await view.dataSource.query(`SELECT version FROM contracts WHERE id = $1`, [id])) as { version: number }[];
        expect(readModel?.version, id).toBe(want.types.length);
      }
      const [total] = (await view.dataSource.query(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids FROM events WHERE stream_id = ANY($1)`, [[...expected.keys()]])) as { n: number; ids: number }[];
      const wanted = [...expected.values()].reduce((n, w) => n + w.types.length, 0);
      expect(total).toEqual({ n: wanted, ids: wanted });
    });
  }
});
