import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { SMTPServer } from 'smtp-server';
import { loadConfig } from '#infra/config/config';
import { createDataSource, migrate } from '#infra/database/data-source';
import { freePort } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startTemporalDevServer } from '#infra/dev/services';
import { createEventStore } from '#infra/event-store/streams';
import { dataConverter } from '#infra/temporal/connection';
import { orderContract } from '#infra/temporal/contract-client';
import { startApi, startWorker } from '../test/support/apps';
import { processMemory } from '../test/support/durability';
import { benchPostgres, buildDist, fmt, measure, seedHandedOver, type Measured } from './support';

/**
 * `npm run bench:obligations`: one incident over 1,000 and then 10,000 affected contracts, each
 * notice its own workflow, emailed through the outbox to a real SMTP server; and contracts
 * ordered per second (update-with-start, one append) against the same server and worker, before
 * and after. Prints the time from confirmation to the last notice sent, notices per second, the
 * worker's peak RSS, and last `ratio: <notices opened and sent per s ÷ contracts ordered per s>`
 * (the 1,000-contract incident against the orders).
 */
const SIZES = (process.env.BENCH_INCIDENT_SIZES ?? '1000,10000').split(',').map(Number);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1000);
const CONCURRENCY = 64;
// Each incident its own location, so the second does not count the first one's contracts.
const LOCATIONS = ['ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet'];

async function main(): Promise<void> {
  const root = projectRoot();
  buildDist();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  let mails = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        mails++;
        callback();
      });
    },
  });
  const smtpPort = await freePort();
  // A client's connection reset is no error of the server's: without a listener, it would end this process.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  const pg = await benchPostgres('obligations');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await migrate(pg.url);
    const env: Record<string, string> = {
      DATABASE_URL: pg.url,
      DATABASE_POOL_SIZE: '20',
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      STORAGE_ROOT: path.join(root, '.data', 'bench', 'obligations-storage'),
      LOG_LEVEL: 'warn',
    };
    const worker = await startWorker({ ...env, NODE_ENV: 'development', LOG_LEVEL: 'info' });
    cleanups.push(() => worker.stop());
    const api = await startApi({ ...env, NODE_ENV: 'development' });
    cleanups.push(() => api.stop());
    const config = loadConfig({ ...env, NODE_ENV: 'development' });
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }), dataConverter: dataConverter(config) });
    const dataSource = createDataSource({ url: pg.url, poolSize: 16 });
    await dataSource.initialize();
    const store = createEventStore(dataSource);
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${api.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-dpo-key' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };

    const order = async () => {
      const contractId = randomUUID();
      const data = { contractId, reference: null, controller: { customerId: null, name: 'Bench SAS', email: 'bench@bench.example', address: null, dpoEmail: null }, billingPeriod: 'P1M', catalog: null, returnWindow: null, renewalGracePeriod: null, orderedAt: new Date().toISOString() };
      await orderContract(client, { taskQueue: config.temporal.taskQueue, settings: { escalationMargin: 'P7D' }, order: data, actor: { role: 'account_manager' } });
    };
    const incident = async (count: number, location: string) => {
      const from = await seedHandedOver(store, count, location);
      const now = new Date().toISOString();
      const { id } = await post('/incidents', { detectedAt: now, summary: `Bench incident over ${count} contracts`, scope: { locations: [location], from, to: now } });
      const mailsBefore = mails;
      const started = Date.now();
      await post(`/incidents/${id}/confirmation`, { awareAt: new Date().toISOString() });
      let sent = 0;
      let allOpened: number | null = null;
      let resolved: number | null = null;
      while (sent < count) {
        await new Promise((r) => setTimeout(r, 100));
        const [row] = await dataSource.query(
          `SELECT count(*) FILTER (WHERE status = 'sent')::int AS sent, count(*)::int AS opened, (SELECT count(*)::int FROM incident_contracts WHERE incident_id = $1) AS resolved FROM breach_notices WHERE incident_id = $1`,
          [id],
        );
        sent = row.sent;
        if (resolved === null && row.resolved === count) resolved = (Date.now() - started) / 1000;
        if (allOpened === null && row.opened === count) allOpened = (Date.now() - started) / 1000;
        if (Date.now() - started > 3_600_000) throw new Error(`only ${sent}/${count} notices sent in an hour`);
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(`  ${count} contracts: resolved by ${fmt(resolved ?? seconds, 1)} s, every notice opened by ${fmt(allOpened ?? seconds, 1)} s, the last sent at ${fmt(seconds, 1)} s`);
      const [{ n: opened }] = await dataSource.query(`SELECT count(*)::int AS n FROM breach_notices WHERE incident_id = $1`, [id]);
      if (opened !== count) throw new Error(`${opened} notices for ${count} contracts`);
      return { seconds, perSecond: count / seconds, emails: mails - mailsBefore };
    };

    // Warm-up: JIT, pools, sticky caches (no larger than the run itself).
    await measure(Math.min(64, ORDERS), 16, order);
    await incident(Math.min(50, ...SIZES), LOCATIONS[2]!);
    console.log(`Obligations benchmark: Temporal dev server, PostgreSQL, worker and API as processes, a real SMTP server; orders by ${CONCURRENCY} clients (update-with-start + one append), incidents confirmed through the API`);
    const before: Measured = await measure(ORDERS, CONCURRENCY, order);
    console.log(`orders (before): ${fmt(before.perSecond)} contracts/s (p50 ${fmt(before.p50)} ms, p99 ${fmt(before.p99)} ms)`);
    const results: { size: number; seconds: number; perSecond: number }[] = [];
    for (const [i, size] of SIZES.entries()) {
      const r = await incident(size, LOCATIONS[i % 2]!);
      results.push({ size, ...r });
      console.log(`incident over ${size} contracts: last notice sent ${fmt(r.seconds, 1)} s after confirmation = ${fmt(r.perSecond)} notices opened and sent per s (${r.emails} emails); worker peak RSS ${fmt(processMemory(worker.pid).peakMiB, 0)} MiB`);
    }
    const after: Measured = await measure(ORDERS, CONCURRENCY, order);
    console.log(`orders (after): ${fmt(after.perSecond)} contracts/s (p50 ${fmt(after.p50)} ms, p99 ${fmt(after.p99)} ms)`);
    const ordersPerSecond = (before.perSecond + after.perSecond) / 2;
    console.log(`worker peak RSS over the run: ${fmt(processMemory(worker.pid).peakMiB, 0)} MiB`);
    for (const r of results.slice(1)) console.log(`ratio at ${r.size}: ${fmt(r.perSecond / ordersPerSecond, 3)}`);
    await client.connection.close();
    await dataSource.destroy();
    console.log(`ratio: ${fmt(results[0]!.perSecond / ordersPerSecond, 3)}`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    await temporal.stop();
    await pg.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
