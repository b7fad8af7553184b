import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { createDataSource, migrate } from '#infra/database/data-source';
import { freePort, waitFor } from '#infra/dev/processes';
import { startTemporalDevServer } from '#infra/dev/services';
import { startApi, startWorker } from '../test/support/apps';
import { startMailCatcher } from '../test/support/mail';
import { invoicePaid, signed, stripeId } from '../test/support/stripe';
import { benchPostgres, buildDist, fmt, percentile } from './support';

/**
 * `npm run bench:webhooks` (DESIGN §9): the API, the worker, a Temporal dev server and PostgreSQL as
 * processes, and a local receiver subscribed to every kind of event out, which verifies each
 * delivery's signature.
 *
 * BENCH_WEBHOOK_CONTRACTS contracts are ordered and handed over (each makes two facts); then as many
 * renewals again go through Stripe's webhook (signed invoice.paid events) and through
 * POST /contracts/{id}/renewals, each from BENCH_WEBHOOK_CLIENTS clients, in alternating rounds, on
 * contracts of their own. A webhook renewal counts once its RenewalAccepted is stored (the webhook
 * answers before). Prints the p50 and p99 from a fact's append (its recorded instant) to its arrival
 * at the receiver, then, last, `ratio: <webhook renewals/s ÷ API renewals/s>`. Target: at least 0.8.
 */
const CONTRACTS = Number(process.env.BENCH_WEBHOOK_CONTRACTS ?? 1000);
const CLIENTS = Number(process.env.BENCH_WEBHOOK_CLIENTS ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);

async function lanes(total: number, clients: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < total; i = next++) await task(i);
  }));
}

async function main(): Promise<void> {
  buildDist();
  const pg = await benchPostgres('webhooks');
  const temporal = await startTemporalDevServer({ port: await freePort(), uiPort: null });
  const mail = await startMailCatcher();
  const cleanups: (() => Promise<void>)[] = [() => temporal.stop(), () => pg.stop(), () => mail.stop()];
  try {
    await migrate(pg.url);
    const env = {
      DATABASE_URL: pg.url,
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: mail.url,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: '20',
      STRIPE_WEBHOOK_SECRETS: DEV_STRIPE_WEBHOOK_SECRET,
      ...(process.env.WORKER_WORKFLOW_BUNDLE ? { WORKER_WORKFLOW_BUNDLE: process.env.WORKER_WORKFLOW_BUNDLE } : {}),
    };
    // The worker says it polls at info level: startWorker waits for that line.
    const worker = await startWorker({ ...env, LOG_LEVEL: 'info' });
    cleanups.unshift(() => worker.stop());
    const api = await startApi(env);
    cleanups.unshift(() => api.stop());

    // The receiver: verifies each delivery, and notes how long after its fact's append it arrived.
    let secret = '';
    const latencies: number[] = [];
    const seen = new Set<string>();
    let refused = 0;
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const arrived = Date.now();
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const event = new Webhook(secret).verify(body, { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) }) as { timestamp: string };
          if (!seen.has(String(req.headers['webhook-id']))) latencies.push(arrived - Date.parse(event.timestamp));
          seen.add(String(req.headers['webhook-id']));
          res.writeHead(204).end();
        } catch {
          refused++;
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    cleanups.unshift(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const call = async (method: string, path: string, key: string, body?: unknown) => {
      const res = await fetch(`${api.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    const kinds = ((await call('GET', '/webhooks/kinds', 'dev-admin-key')) as { kinds: string[] }).kinds;
    secret = ((await call('POST', '/webhooks', 'dev-admin-key', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, kinds })) as { secret: string }).secret;

    // Contracts, half for each way of renewing; each order and hand-over is a fact delivered.
    const contracts: { id: string; termEnd: string }[] = [];
    const seeding = Date.now();
    await lanes(2 * CONTRACTS, CLIENTS, async () => {
      const { id } = (await call('POST', '/contracts', 'dev-account-manager-key', { controller: { name: 'Bench SAS', email: 'bench@bench.example' }, billingPeriod: 'P1M', renewalGracePeriod: 'P14D' })) as { id: string };
      const handed = (await call('POST', `/contracts/${id}/credentials`, 'dev-account-manager-key', { kind: 'ssh', host: 'h.bench.example', username: 'u', secret: 's3cret' })) as { termEnd: string };
      contracts.push({ id, termEnd: handed.termEnd });
    });
    console.log(`ordered and handed over ${2 * CONTRACTS} contracts in ${fmt((Date.now() - seeding) / 1000)} s`);
    await waitFor('every fact delivered', async () => seen.size >= 4 * CONTRACTS, { timeoutMs: 600_000, intervalMs: 50 });
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(`events out: ${seen.size} delivered to the receiver, ${refused} refused; append to delivery p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms`);

    const whole = (instant: string) => new Date(Math.floor(Date.parse(instant) / 1000) * 1000).toISOString();
    const periodOf = (termEnd: string) => {
      const end = new Date(termEnd);
      end.setUTCMonth(end.getUTCMonth() + 1);
      return { start: whole(termEnd), end: whole(end.toISOString()) };
    };
    const viaWebhook = contracts.slice(0, CONTRACTS);
    const viaApi = contracts.slice(CONTRACTS);
    const dataSource = createDataSource({ url: pg.url, poolSize: 2 });
    await dataSource.initialize();
    cleanups.unshift(() => dataSource.destroy());
    const seconds = { webhook: 0, api: 0 };
    const per = Math.ceil(CONTRACTS / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      const sides = round % 2 === 0 ? (['webhook', 'api'] as const) : (['api', 'webhook'] as const);
      for (const side of sides) {
        const slice = (side === 'webhook' ? viaWebhook : viaApi).slice(round * per, (round + 1) * per);
        const started = performance.now();
        if (side === 'api') {
          await lanes(slice.length, CLIENTS, (i) => call('POST', `/contracts/${slice[i]!.id}/renewals`, 'dev-billing-key', { invoiceId: `inv-api-${slice[i]!.id}`, coveredPeriod: periodOf(slice[i]!.termEnd), acceptedAt: new Date().toISOString() }).then(() => undefined));
        } else {
          const ids = slice.map(() => stripeId('evt'));
          await lanes(slice.length, CLIENTS, async (i) => {
            // Stripe's whole seconds, rounded up: never before the contract's order in the same second.
            const paidAt = new Date(Math.ceil(Date.now() / 1000) * 1000).toISOString();
            const invoice = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period: periodOf(slice[i]!.termEnd), paidAt, contractId: slice[i]!.id }, { id: ids[i]! });
            const { body, signature } = signed(invoice);
            const res = await fetch(`${api.url}/integrations/stripe/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body });
            if (res.status !== 200) throw new Error(`webhook: ${res.status} ${await res.text()}`);
          });
          // Counted once every RenewalAccepted is stored.
          await waitFor('renewals stored', async () => {
            const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM events WHERE type = 'RenewalAccepted' AND metadata->>'keyId' = ANY($1::text[])`, [ids.map((id) => `stripe:${id}`)])) as { n: number }[];
            return row!.n >= slice.length;
          }, { timeoutMs: 600_000, intervalMs: 10 });
        }
        seconds[side] += (performance.now() - started) / 1000;
      }
    }
    // Each event is marked applied a moment after its renewal is stored: then none may be otherwise.
    await waitFor('every Stripe event processed', async () => ((await dataSource.query(`SELECT count(*)::int AS n FROM stripe_events WHERE state = 'received'`)) as { n: number }[])[0]!.n === 0, { timeoutMs: 60_000, intervalMs: 50 }).catch(() => undefined);
    const unmatched = (await dataSource.query(`SELECT reason_code, count(*)::int AS n FROM stripe_events WHERE state <> 'applied' GROUP BY reason_code`)) as { reason_code: string | null; n: number }[];
    if (unmatched.length > 0) throw new Error(`Stripe events not applied: ${unmatched.map((u) => `${u.n} ${u.reason_code ?? 'received'}`).join(', ')}`);
    const webhookRate = CONTRACTS / seconds.webhook;
    const apiRate = CONTRACTS / seconds.api;
    console.log(`renewals, ${CONTRACTS} each way from ${CLIENTS} clients in ${ROUNDS} alternating rounds: Stripe webhook ${fmt(webhookRate)}/s (until each RenewalAccepted is stored), POST /contracts/{id}/renewals ${fmt(apiRate)}/s`);
    console.log(`ratio: ${fmt(webhookRate / apiRate, 3)}`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
