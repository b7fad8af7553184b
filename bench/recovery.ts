import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { createDataSource, migrate } from '#infra/database/data-source';
import { freePort } from '#infra/dev/processes';
import { projectRoot } from '#infra/dev/project-root';
import { startTemporalDevServer } from '#infra/dev/services';
import { writeWorkflowBundle } from '#infra/dev/workflow-bundle';
import { createEventStore } from '#infra/event-store/streams';
import { startApi, startWorker, type RunningApp } from '../test/support/apps';
import { benchPostgres, buildDist, fmt, seedHandedOver } from './support';

/**
 * `npm run bench:recovery`: how long work in flight waits after the worker is SIGKILLed. One
 * incident over BENCH_CONTRACTS contracts (100) runs once undisturbed, then once with the worker
 * killed as the SMTP server takes the incident's BENCH_KILL_AT_EMAIL-th notice (one in twenty, at
 * least the first) and started again at once, as a supervisor does (from a prebuilt workflow
 * bundle); a kill at a fixed delay found every notice sent already on a fast day of the machine.
 * Prints the undisturbed time from confirmation to the last notice emailed, then `recovery after
 * worker kill: <s> s` — from the kill to the last notice emailed — the worker's restart, when the last receipt was recorded, the duplicates of the
 * undisturbed run (must be 0) and the messages received twice after the kill (by Message-ID; only
 * one the killed worker was sending may be: SMTP cannot tell whether its last byte was taken).
 */
const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 100);
const KILL_AT_EMAIL = Number(process.env.BENCH_KILL_AT_EMAIL ?? Math.max(1, Math.floor(CONTRACTS / 20)));

async function main(): Promise<void> {
  const root = projectRoot();
  buildDist();
  // Every email by Message-ID, with when it arrived (ms, performance.now()).
  const received = new Map<string, number[]>();
  /** Called as each email is taken (the kill's trigger). */
  let taken: (() => void) | null = null;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 16_384) head += chunk.toString('latin1');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*(\S+)/im.exec(head)?.[1] ?? `unknown-${received.size}`;
        received.set(id, [...(received.get(id) ?? []), performance.now()]);
        callback();
        taken?.();
      });
    },
  });
  // A client's connection reset (the worker killed in the middle of a message) is no error of the server's: without a listener, it would end this process.
  smtp.on('error', () => undefined);
  const smtpPort = await freePort();
  await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
  const pg = await benchPostgres('recovery');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const workers: RunningApp[] = [];
  let api: RunningApp | null = null;
  try {
    await migrate(pg.url);
    const env: Record<string, string> = {
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      STORAGE_ROOT: path.join(root, '.data', 'bench', `recovery-storage-${process.pid}`),
      // A restarted worker starts from a bundle made beforehand (the suite's, or one made now).
      WORKER_WORKFLOW_BUNDLE: process.env.WORKER_WORKFLOW_BUNDLE ?? (await writeWorkflowBundle(path.join(root, '.data', 'bench', `recovery-bundle-${process.pid}.js`), 'sources')),
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
    };
    workers.push(await startWorker({ ...env, LOG_LEVEL: 'info' }));
    api = await startApi(env);
    const dataSource = createDataSource({ url: pg.url, poolSize: 4 });
    await dataSource.initialize();
    const store = createEventStore(dataSource);
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${api!.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer dev-dpo-key' }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const row = async (id: string) =>
      (await dataSource.query(`SELECT count(*)::int AS opened, count(*) FILTER (WHERE status = 'sent')::int AS recorded FROM breach_notices WHERE incident_id = $1`, [id]))[0] as { opened: number; recorded: number };

    /** One incident over fresh contracts at `location`; `during` runs right after its confirmation. */
    const incident = async (location: string, during: () => Promise<void>) => {
      const domain = `${location}.example`;
      const from = await seedHandedOver(store, CONTRACTS, location, (i) => `privacy-${i}@${domain}`);
      const now = new Date().toISOString();
      const { id } = await post('/incidents', { detectedAt: now, summary: `Recovery bench at ${location}`, scope: { locations: [location], from, to: now } });
      const before = new Set(received.keys());
      const confirmed = performance.now();
      await post(`/incidents/${id}/confirmation`, { awareAt: new Date().toISOString() });
      await during();
      const mine = () => [...received.entries()].filter(([messageId]) => !before.has(messageId));
      let lastEmail = 0;
      for (;;) {
        const emails = mine();
        const { recorded } = await row(id);
        if (emails.length >= CONTRACTS && recorded === CONTRACTS) {
          lastEmail = Math.max(...emails.map(([, at]) => at[0]!));
          break;
        }
        if (performance.now() - confirmed > 600_000) throw new Error(`after 10 minutes: ${emails.length}/${CONTRACTS} emails, ${recorded} recorded`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const { opened } = await row(id);
      if (opened !== CONTRACTS) throw new Error(`${opened} notices for ${CONTRACTS} contracts`);
      return { confirmed, lastEmail, recordedBy: performance.now(), duplicates: mine().filter(([, at]) => at.length > 1).length, emails: mine().length };
    };

    console.log(`Recovery benchmark: Temporal dev server, PostgreSQL, worker and API as processes, a real SMTP server; one incident over ${CONTRACTS} contracts, undisturbed, then with the worker SIGKILLed as its notice ${KILL_AT_EMAIL} is emailed`);
    const calm = await incident('ovh-gra-1', async () => {});
    console.log(`no kill: last notice emailed ${fmt((calm.lastEmail - calm.confirmed) / 1000, 1)} s after confirmation (${calm.emails} emails)`);

    let killedAt = 0;
    let restarted = 0;
    let emailsAtKill = 0;
    let sendingAtKill = 0;
    const killed = await incident('ovh-sbg-2', async () => {
      // Every email so far is the undisturbed run's: the kill comes as this incident's KILL_AT_EMAIL-th is taken.
      await new Promise<void>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`no ${KILL_AT_EMAIL} notices emailed within 2 minutes of the confirmation`)), 120_000);
        taken = () => {
          if (received.size - calm.emails < KILL_AT_EMAIL) return;
          taken = null;
          clearTimeout(timeout);
          resolve();
        };
        taken();
      });
      const worker = workers.at(-1)!;
      emailsAtKill = received.size;
      worker.child.kill('SIGKILL');
      killedAt = performance.now();
      await worker.exited;
      sendingAtKill = ((await dataSource.query(`SELECT count(*)::int AS n FROM outbox WHERE status = 'sending'`)) as { n: number }[])[0]!.n;
      workers.push(await startWorker({ ...env, LOG_LEVEL: 'info' }));
      restarted = performance.now();
    });
    if (emailsAtKill - calm.emails >= CONTRACTS) throw new Error(`every notice was emailed before the kill: nothing was in flight (raise BENCH_CONTRACTS or lower BENCH_KILL_AT_EMAIL)`);
    console.log(`emails before the kill: ${emailsAtKill - calm.emails} of ${CONTRACTS}`);
    console.log(`worker restarted (polling): ${fmt((restarted - killedAt) / 1000, 1)} s after the kill`);
    console.log(`recovery after worker kill: ${fmt((killed.lastEmail - killedAt) / 1000, 1)} s`);
    console.log(`last receipt recorded: ${fmt((killed.recordedBy - killedAt) / 1000, 1)} s after the kill`);
    console.log(`duplicates without a kill: ${calm.duplicates}`);
    // SMTP leaves one window: a message whose last byte left before the kill, its acceptance not yet recorded, goes again.
    console.log(`resent after the kill: ${killed.duplicates} (the killed worker was sending ${sendingAtKill})`);
    await dataSource.destroy();
  } finally {
    await api?.stop();
    for (const w of workers) await w.stop();
    await temporal.stop();
    await pg.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
