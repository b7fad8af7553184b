import { chromium } from 'playwright-core';
import { migrate, createDataSource } from '#infra/database/data-source';
import { CHROMIUM, ensureChromium } from '#infra/dev/debian-packages';
import { freePort } from '#infra/dev/processes';
import { startTemporalDevServer } from '#infra/dev/services';
import { createEventStore } from '#infra/event-store/streams';
import { startApi } from '../test/support/apps';
import { startOidcProvider } from '../test/support/oidc';
import { seedContracts, seedFiles } from './seed-files';
import { benchPostgres, buildDist, fmt, measurePages } from './support';

/**
 * `npm run bench:ui`: 10,000 contracts straight into the store (a tenth of them terminated, so the
 * inbox has destruction deadlines) and about 110,000 files of every type in the registry under them
 * (seed-files.ts: eight per contract, two per controller, incidents, changes, the roster), a sign-in through the development OpenID provider in Chromium,
 * then the contracts list, a filtered list, the inbox (whole and filtered), a contract page, a
 * contract's files filtered (the file list), a data-subject request's page (a file page), the dashboard, the roster and the record of processing's first page, each requested
 * BENCH_UI_REQUESTS times by 4 clients with the session's cookie. Prints the p50 and p95 of the
 * server's own time (its Server-Timing header) and of the round trip, per page. Target: p95 < 200 ms.
 */
const CONTRACTS = Number(process.env.BENCH_UI_CONTRACTS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_UI_REQUESTS ?? 200);

async function main(): Promise<void> {
  buildDist();
  ensureChromium((line) => console.log(line));
  const pg = await benchPostgres('ui');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await migrate(pg.url);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const oidc = await startOidcProvider(`${url}/ui/callback`);
    cleanups.push(() => oidc.stop());
    const api = await startApi({ DATABASE_URL: pg.url, TEMPORAL_ADDRESS: temporal.address, PORT: String(port), OIDC_ISSUER: oidc.issuer, NODE_ENV: 'development', LOG_LEVEL: 'warn' });
    cleanups.push(() => api.stop());

    const dataSource = createDataSource({ url: pg.url, poolSize: 16 });
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    const store = createEventStore(dataSource);
    const contracts = await seedContracts(store, CONTRACTS);
    console.log(`seeded ${CONTRACTS} contracts in ${fmt(contracts.seconds)} s`);
    const ids = contracts.seeded.map((c) => c.id);
    const files = await seedFiles(store, contracts.seeded);
    const total = [...files.counts.values()].reduce((a, b) => a + b, 0);
    console.log(`seeded ${total} files of ${files.counts.size} types in ${fmt(files.seconds)} s: ${[...files.counts].map(([t, n]) => `${t} ${n}`).join(', ')}`);
    const request = files.sample.get('subject-request')!;
    // What autovacuum does to a table of this size within minutes of a bulk load: statistics for the
    // planner, and the visibility map for index-only scans. Measured without, the pages would be
    // measured against a database no running system has.
    const vacuumed = performance.now();
    await dataSource.query('VACUUM ANALYZE');
    console.log(`vacuumed and analysed in ${fmt((performance.now() - vacuumed) / 1000)} s`);

    // Sign in as a person would, in Chromium; then the session's cookie for the measured requests.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    let cookie: string;
    try {
      const page = await browser.newPage();
      await page.goto(`${url}/ui/contracts`);
      await page.fill('input[name=login]', 'dpo');
      await page.fill('input[name=password]', 'bench');
      await Promise.all([page.waitForURL(`${url}/ui/contracts`), page.click('button[type=submit]')]);
      const session = (await page.context().cookies()).find((c) => c.name === 'dpa_session');
      if (!session) throw new Error('no session after sign-in');
      cookie = `dpa_session=${session.value}`;
    } finally {
      await browser.close();
    }

    const pages: [string, string][] = [
      ['contracts list', '/ui/contracts'],
      ['filtered list', '/ui/contracts?status=terminated&q=controller%201'],
      ['inbox', '/ui/inbox'],
      ['inbox filtered', '/ui/inbox?kind=destruction-deadline&controller=controller%201&overdue=1'],
      ['contract page', `/ui/contracts/${ids[10]}`],
      ['file list', `/ui/contracts/${request.contractId}?type=subject-request&status=open`],
      ['file page', `/ui/contracts/${request.contractId}/files/subject-request/${request.id}`],
      ['dashboard', '/ui/dashboard'],
      ['roster', '/ui/staff'],
      ['record page', '/ui/processing-record'],
    ];
    console.log(`${REQUESTS} requests per page, 4 clients, ${CONTRACTS} contracts in the store:`);
    await measurePages(url, cookie, pages, REQUESTS, 15);
    console.log('target: p95 under 200 ms on this machine');
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await temporal.stop();
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
