import { migrate, createDataSource } from '#infra/database/data-source';
import { freePort } from '#infra/dev/processes';
import { createEventStore } from '#infra/event-store/streams';
import { startApi } from '../test/support/apps';
import { startMailCatcher } from '../test/support/mail';
import { seedContracts, seedFiles } from './seed-files';
import { benchPostgres, buildDist, fmt, measurePages, percentile } from './support';

/**
 * `npm run bench:portal`: 10,000 controllers in the store (a contract each, with its files of every
 * type: seed-files.ts), then one of them signs in to the portal as a person would — asks for a link,
 * reads it from the caught mail, opens it and presses its button. Then its home page, its agreement
 * and one of its files, each BENCH_PORTAL_REQUESTS times by 4 clients with its cookie: p50 and p95
 * of the server's own time (Server-Timing) and of the round trip. Target: p95 under 200 ms.
 *
 * Then link requests, BENCH_PORTAL_LINKS of them, alternating a known address (a seeded controller's)
 * and an unknown one, one at a time: the median of each side by side, and their difference. Asking
 * must answer alike whether the address is known; target: under 10 % apart. The API needs no
 * Temporal server for any of this (it connects lazily): none is started.
 */
const CONTROLLERS = Number(process.env.BENCH_PORTAL_CONTROLLERS ?? 10_000);
const REQUESTS = Number(process.env.BENCH_PORTAL_REQUESTS ?? 200);
const LINKS = Number(process.env.BENCH_PORTAL_LINKS ?? 400);

async function main(): Promise<void> {
  buildDist();
  const pg = await benchPostgres('portal');
  const mail = await startMailCatcher();
  const cleanups: (() => Promise<void>)[] = [() => mail.stop()];
  try {
    await migrate(pg.url);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const api = await startApi({
      DATABASE_URL: pg.url,
      // Never reached: the portal's pages and links read PostgreSQL only.
      TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
      SMTP_URL: mail.url,
      PORT: String(port),
      PUBLIC_BASE_URL: url,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      PORTAL_LINK_LIMIT_PER_ADDRESS: '1000000',
      PORTAL_LINK_LIMIT_PER_CLIENT: '1000000',
    });
    cleanups.push(() => api.stop());
    (globalThis as { apiLines?: string[] }).apiLines = api.lines;

    const dataSource = createDataSource({ url: pg.url, poolSize: 16 });
    await dataSource.initialize();
    cleanups.push(() => dataSource.destroy());
    const store = createEventStore(dataSource);
    const contracts = await seedContracts(store, CONTROLLERS);
    console.log(`seeded ${CONTROLLERS} controllers (a contract each) in ${fmt(contracts.seconds)} s`);
    const files = await seedFiles(store, contracts.seeded);
    const total = [...files.counts.values()].reduce((a, b) => a + b, 0);
    console.log(`seeded ${total} files of ${files.counts.size} types in ${fmt(files.seconds)} s`);
    await dataSource.query('VACUUM ANALYZE');

    // The controller of a contract with a data-subject request: it signs in, by its emailed link.
    const request = files.sample.get('subject-request')!;
    const controller = contracts.seeded.find((c) => c.id === request.contractId)!.controller.email;
    const form = (body: Record<string, string>, cookie?: string) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      body: new URLSearchParams(body).toString(),
      redirect: 'manual' as const,
    });
    const asked = await fetch(`${url}/portal/link`, form({ email: controller }));
    if (asked.status !== 200) throw new Error(`link request: ${asked.status}`);
    const email = await mail.waitFor((m) => m.to.includes(controller), 30_000);
    const link = /https?:\/\/\S+\/portal\/sign-in\?t=[A-Za-z0-9_-]+/.exec(email.text)![0];
    const opened = await fetch(link);
    const pre = /dpa_portal_pre=([^;]+)/.exec(opened.headers.get('set-cookie') ?? '')?.[1];
    const nonce = /name="n" value="([^"]+)"/.exec(await opened.text())?.[1];
    if (!pre || !nonce) throw new Error('the link page set no nonce');
    const signedIn = await fetch(`${url}/portal/sign-in`, form({ t: new URL(link).searchParams.get('t')!, n: nonce }, `dpa_portal_pre=${pre}`));
    const session = /dpa_portal=([^;]+)/.exec(signedIn.headers.get('set-cookie') ?? '')?.[1];
    if (signedIn.status !== 303 || !session) throw new Error(`sign-in: ${signedIn.status}`);
    const cookie = `dpa_portal=${session}`;
    console.log(`signed in as ${controller}`);

    const pages: [string, string][] = [
      ['home page', '/portal/'],
      ['contract', `/portal/contracts/${request.contractId}`],
      ['file', `/portal/contracts/${request.contractId}/files/subject-request/${request.id}`],
    ];
    console.log(`${REQUESTS} requests per page, 4 clients, ${CONTROLLERS} controllers in the store:`);
    await measurePages(url, cookie, pages, REQUESTS, 10);
    console.log('target: p95 under 200 ms on this machine');

    // Known and unknown addresses asked for in turn, one at a time, so both meet the same machine.
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < LINKS; i++) {
      const isKnown = i % 2 === 0;
      const address = isKnown ? contracts.seeded[(i * 7919) % contracts.seeded.length]!.controller.email : `nobody-${i}@c${i % 97}.example`;
      const started = performance.now();
      const res = await fetch(`${url}/portal/link`, form({ email: address }));
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`link request: ${res.status}`);
      (isKnown ? known : unknown).push(performance.now() - started);
    }
    known.sort((a, b) => a - b);
    unknown.sort((a, b) => a - b);
    const k = percentile(known, 50);
    const u = percentile(unknown, 50);
    console.log(`link requests, ${LINKS} in turn: known address median ${fmt(k, 2)} ms, unknown address median ${fmt(u, 2)} ms; difference ${fmt((Math.abs(k - u) / Math.min(k, u)) * 100)} %`);
    console.log('target: the medians under 10 % apart');
  } catch (e) {
    console.log((globalThis as { apiLines?: string[] }).apiLines?.slice(-30).join('\n'));
    throw e;
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
