import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';
import { invoicePaid, seconds, signed, stripeId, subscriptionEvent } from '../support/stripe';

/*
 * DESIGN §9, against the real API, worker, Temporal and PostgreSQL. Billing in: Stripe's events,
 * signed with the stripe package's own test helper; the stack verifies with two secrets (one being
 * rotated) and takes a grace of two seconds as enough (STRIPE_MIN_GRACE), so that a subscription's
 * end can be seen to expire its contract. Events out: local receivers that verify every delivery
 * with the standardwebhooks package; a delivery is given up after six seconds (WEBHOOK_RETRY_FOR).
 */
const ROTATED = 'whsec_rotatedSecretOfTheTest0000';
let stack: Stack;
let db: Client;
beforeAll(async () => {
  stack = await startStack({ STRIPE_WEBHOOK_SECRETS: `${ROTATED},${DEV_STRIPE_WEBHOOK_SECRET}`, STRIPE_MIN_GRACE: 'PT2S', WEBHOOK_RETRY_FOR: 'PT6S' });
  db = await connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

/** The test's own connection to the stack's database (an error on it, once storage is taken down, is expected). */
async function connect(): Promise<Client> {
  const client = new Client({ connectionString: stack.env.DATABASE_URL });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
const rows = async (sql: string, params: unknown[] = []) => (await db.query(sql, params)).rows as Record<string, unknown>[];
const post = (payload: object, options: Parameters<typeof signed>[1] = {}) => {
  const { body, signature } = signed(payload, options);
  return stack.request('POST', '/integrations/stripe/webhook', { role: null, raw: body, headers: { 'stripe-signature': signature } });
};
const contract = async (id: string) => (await stack.request('GET', `/contracts/${id}`, { role: 'dpo' })).body;
const stripeEvent = async (id: string) => (await rows(`SELECT state, reason_code, reason, contract_id::text AS contract_id, facts FROM stripe_events WHERE id = $1`, [id]))[0];
const settled = (id: string) => waitFor(`Stripe event ${id} processed`, async () => (await stripeEvent(id))?.state !== 'received', { timeoutMs: 30_000, intervalMs: 100 });

/** A contract in processing, of a controller with a customer number; its term ends `billingPeriod` after the hand-over. */
async function activeContract(o: { billingPeriod?: string; grace?: string | null; customerId?: string } = {}): Promise<{ id: string; termEnd: string; customerId: string }> {
  const customerId = o.customerId ?? `CUST-${stripeId('c')}`;
  const ordered = await stack.request('POST', '/contracts', {
    role: 'account_manager',
    body: { reference: `STRIPE-${stripeId('r')}`, controller: { customerId, name: 'Stripe Client SAS', email: 'billing@stripe-client.example' }, billingPeriod: o.billingPeriod ?? 'P1M', ...(o.grace === null ? {} : { renewalGracePeriod: o.grace ?? 'P7D' }) },
  });
  expect(ordered.status).toBe(201);
  const handedOver = await stack.request('POST', `/contracts/${ordered.body.id}/credentials`, { role: 'account_manager', body: { kind: 'sftp', host: 'sftp.client.example', username: 'deploy', secret: 'stripe-e2e-secret' } });
  expect(handedOver.status).toBe(200);
  return { id: ordered.body.id, termEnd: handedOver.body.termEnd, customerId };
}

/** The next month from a term's end, as Stripe writes a period: in whole seconds. */
const whole = (instant: string) => new Date(seconds(instant) * 1000).toISOString();
/** Paid now, in Stripe's whole seconds (the next one: never before the contract's order, in the same second). */
const paidNow = () => new Date((Math.floor(Date.now() / 1000) + 1) * 1000).toISOString();
const nextMonth = (termEnd: string) => {
  const end = new Date(termEnd);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return { start: whole(termEnd), end: whole(end.toISOString()) };
};

describe("Stripe's webhook (DESIGN §9)", () => {
  it('a subscription_cycle invoice renews the contract its subscription names, once, though Stripe sends it three times; signed by either secret; nothing personal kept', async () => {
    const c = await activeContract();
    const subscription = stripeId('sub');
    const period = nextMonth(c.termEnd);
    const paidAt = paidNow();
    const invoice = invoicePaid({ customer: stripeId('cus'), subscription, billingReason: 'subscription_cycle', period, paidAt, contractId: c.id });
    for (const secret of [DEV_STRIPE_WEBHOOK_SECRET, ROTATED, DEV_STRIPE_WEBHOOK_SECRET]) {
      const answer = await post(invoice, { secret });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ id: invoice.id, kept: true });
    }
    await settled(invoice.id);
    expect(await stripeEvent(invoice.id)).toMatchObject({ state: 'applied', contract_id: c.id, reason_code: null });
    const renewed = await contract(c.id);
    expect(renewed.termEnd).toBe(period.end);
    expect(renewed.renewals).toEqual([{ invoiceId: (invoice.data.object as { id: string }).id, coveredPeriod: period, acceptedAt: paidAt }]);
    // Recorded as billing's act, by this event.
    const events = (await stack.request('GET', `/contracts/${c.id}/events`, { role: 'dpo' })).body.events as { type: string; metadata: Record<string, unknown> }[];
    expect(events.filter((e) => e.type === 'RenewalAccepted').map((e) => e.metadata)).toEqual([expect.objectContaining({ actor: 'billing', keyId: `stripe:${invoice.id}` })]);
    // One row, holding the facts the mapping reads, none of the customer's name, email or address.
    expect(await rows(`SELECT count(*)::int AS n FROM stripe_events WHERE id = $1`, [invoice.id])).toEqual([{ n: 1 }]);
    expect(JSON.stringify(await rows(`SELECT * FROM stripe_events`))).not.toMatch(/Jane|jane\.payer|Paix/);
    // The subscription is now mapped to the contract: the next invoice needs no metadata.
    expect(await rows(`SELECT contract_id::text AS contract_id, source FROM stripe_subscriptions WHERE subscription_id = $1`, [subscription])).toEqual([{ contract_id: c.id, source: 'metadata' }]);
  });

  it("a controller's Stripe customer maps its subscription at its first invoice; an unknown customer's renewal is kept unmatched, then replayed once an admin maps it", async () => {
    const c = await activeContract();
    const customer = stripeId('cus');
    const subscription = stripeId('sub');
    // Unknown customer, no metadata: unmatched, with the reason; the contract is untouched.
    const period = nextMonth(c.termEnd);
    const cycle = invoicePaid({ customer, subscription, billingReason: 'subscription_cycle', period, paidAt: paidNow() });
    expect((await post(cycle)).status).toBe(200);
    await settled(cycle.id);
    expect(await stripeEvent(cycle.id)).toMatchObject({ state: 'unmatched', reason_code: 'stripe.unknown_customer' });
    expect((await contract(c.id)).termEnd).toBe(c.termEnd);
    const unmatched = await stack.request('GET', '/integrations/stripe/events?state=unmatched', { role: 'admin' });
    expect(unmatched.status).toBe(200);
    expect(unmatched.body.items.find((e: { id: string }) => e.id === cycle.id)).toMatchObject({ state: 'unmatched', subscriptionId: subscription, customerId: customer, reason: { code: 'stripe.unknown_customer' } });
    expect((await stack.request('GET', '/integrations/stripe/events?state=unmatched', { role: 'billing' })).status).toBe(403);

    // The admin maps the subscription and replays the event: the contract is renewed, once.
    expect((await stack.request('PUT', `/integrations/stripe/mappings/${subscription}`, { role: 'admin', body: { contractId: '00000000-0000-4000-8000-000000000000' } })).status).toBe(404);
    const mapped = await stack.request('PUT', `/integrations/stripe/mappings/${subscription}`, { role: 'admin', body: { contractId: c.id } });
    expect(mapped.status).toBe(200);
    expect(mapped.body).toMatchObject({ subscriptionId: subscription, contractId: c.id, source: 'admin' });
    const replayed = await stack.request('POST', `/integrations/stripe/events/${cycle.id}/replay`, { role: 'admin' });
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ id: cycle.id, state: 'applied', contractId: c.id, reason: null });
    expect((await contract(c.id)).termEnd).toBe(period.end);
    expect((await stack.request('POST', `/integrations/stripe/events/${cycle.id}/replay`, { role: 'admin' })).status).toBe(409);

    // Another controller names its Stripe customer on its record: its subscription's first invoice
    // (subscription_create) maps the subscription, and the next one renews through that mapping.
    const other = await activeContract();
    const otherCustomer = stripeId('cus');
    expect((await stack.request('PUT', `/controllers/customer:${other.customerId}`, { role: 'account_manager', body: { stripeCustomerId: otherCustomer } })).status).toBeLessThan(300);
    const otherSubscription = stripeId('sub');
    const created = invoicePaid({ customer: otherCustomer, subscription: otherSubscription, billingReason: 'subscription_create', period: { start: new Date().toISOString(), end: other.termEnd }, paidAt: paidNow() });
    expect((await post(created)).status).toBe(200);
    await settled(created.id);
    expect(await stripeEvent(created.id)).toMatchObject({ state: 'mapped', contract_id: other.id });
    const otherPeriod = nextMonth(other.termEnd);
    const next = invoicePaid({ customer: otherCustomer, subscription: otherSubscription, billingReason: 'subscription_cycle', period: otherPeriod, paidAt: paidNow() });
    expect((await post(next)).status).toBe(200);
    await settled(next.id);
    expect(await stripeEvent(next.id)).toMatchObject({ state: 'applied', contract_id: other.id });
    expect((await contract(other.id)).termEnd).toBe(otherPeriod.end);
  });

  it('a contract with less grace than STRIPE_MIN_GRACE, an event of the other mode and a proration are kept unmatched, each with its reason', async () => {
    const c = await activeContract({ grace: 'PT1S' });
    const period = nextMonth(c.termEnd);
    const short = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period, paidAt: paidNow(), contractId: c.id });
    const live = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period, paidAt: paidNow(), contractId: c.id }, { livemode: true });
    const proration = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_update', period, paidAt: paidNow(), contractId: c.id });
    for (const e of [short, live, proration]) expect((await post(e)).status).toBe(200);
    for (const e of [short, live, proration]) await settled(e.id);
    expect(await stripeEvent(short.id)).toMatchObject({ state: 'unmatched', reason_code: 'stripe.grace_too_short', contract_id: c.id, reason: expect.stringContaining('STRIPE_MIN_GRACE (PT2S)') });
    expect(await stripeEvent(live.id)).toMatchObject({ state: 'unmatched', reason_code: 'stripe.livemode' });
    expect(await stripeEvent(proration.id)).toMatchObject({ state: 'unmatched', reason_code: 'stripe.not_a_renewal' });
    expect((await contract(c.id)).renewals).toEqual([]);
  });

  it('a bad signature, a timestamp outside the tolerance or a malformed event is a 400 and is not kept; only POST', async () => {
    const c = await activeContract();
    const invoice = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period: nextMonth(c.termEnd), paidAt: paidNow(), contractId: c.id });
    const forged = await post(invoice, { secret: 'whsec_notOneOfTheConfiguredOnes' });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('stripe.bad_signature');
    const stale = await post(invoice, { timestamp: seconds(new Date().toISOString()) - 600 });
    expect(stale.status).toBe(400);
    expect(stale.body.error.code).toBe('stripe.stale_timestamp');
    const { signature } = signed(invoice);
    const tampered = await stack.request('POST', '/integrations/stripe/webhook', { role: null, raw: JSON.stringify(invoice).replace(c.id, c.id.replace(/.$/, '0')), headers: { 'stripe-signature': signature } });
    expect(tampered.status).toBe(400);
    const unsigned = await stack.request('POST', '/integrations/stripe/webhook', { role: null, body: invoice });
    expect(unsigned.status).toBe(400);
    const notJson = signed('{"id": "evt_x", "object": "event"');
    const malformed = await stack.request('POST', '/integrations/stripe/webhook', { role: null, raw: notJson.body, headers: { 'stripe-signature': notJson.signature } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('stripe.malformed');
    const notAnEvent = await post({ id: stripeId('evt'), object: 'invoice' });
    expect(notAnEvent.status).toBe(400);
    expect(notAnEvent.body.error.code).toBe('stripe.malformed');
    expect((await stack.request('GET', '/integrations/stripe/webhook', { role: null })).status).toBe(405);
    expect(await rows(`SELECT id FROM stripe_events WHERE id = $1`, [invoice.id])).toEqual([]);
    expect((await contract(c.id)).renewals).toEqual([]);
  });

  it('a deleted subscription is a non-renewal: the contract expires at its term end (and its grace)', async () => {
    const c = await activeContract({ billingPeriod: 'PT10S', grace: 'PT2S' });
    const subscription = stripeId('sub');
    const deleted = subscriptionEvent('customer.subscription.deleted', { customer: stripeId('cus'), subscription, contractId: c.id });
    expect((await post(deleted)).status).toBe(200);
    await settled(deleted.id);
    expect(await stripeEvent(deleted.id)).toMatchObject({ state: 'applied', contract_id: c.id });
    expect((await contract(c.id)).nonRenewalNoticedAt).not.toBeNull();
    await waitFor('expired', async () => (await contract(c.id)).endedAt !== null, { timeoutMs: 30_000, intervalMs: 250 });
    // It ends when its grace after the term end runs out, as a contract billing did not renew (L5).
    expect(await contract(c.id)).toMatchObject({ endKind: 'expired', endedAt: new Date(Date.parse(c.termEnd) + 2_000).toISOString() });
  });

  it('while storage is down the webhook answers 503, so that Stripe sends the event again; sent again once it is back, it is kept and applied', async () => {
    const c = await activeContract();
    const period = nextMonth(c.termEnd);
    const invoice = invoicePaid({ customer: stripeId('cus'), subscription: stripeId('sub'), billingReason: 'subscription_cycle', period, paidAt: paidNow(), contractId: c.id });
    // This stack's database refuses connections, and those open are ended: storage is down for it alone.
    const name = new URL(stack.env.DATABASE_URL!).pathname.slice(1);
    const admin = new Client({ connectionString: stack.env.DATABASE_URL!.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name]);
      const down = await post(invoice);
      expect(down.status).toBe(503);
      expect(down.body.error.code).toBe('storage.unavailable');
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await db.end().catch(() => undefined);
    db = await connect();
    expect(await rows(`SELECT id FROM stripe_events WHERE id = $1`, [invoice.id])).toEqual([]);
    await waitFor('stored once storage is back', async () => (await post(invoice)).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    await settled(invoice.id);
    expect(await stripeEvent(invoice.id)).toMatchObject({ state: 'applied' });
    expect((await contract(c.id)).termEnd).toBe(period.end);
  });
});

/** An endpoint of the provider's own systems: it verifies each delivery's signature and keeps what it received. */
class Receiver {
  readonly received: { id: string; type: string; body: string; data: Record<string, unknown> }[] = [];
  readonly refused: string[] = [];
  /** What the next answers are: 200, a status, or a pause before 200 (a slow endpoint). */
  answer: number | { delayMs: number } = 200;
  private server = http.createServer((req, res) => this.handle(req, res));
  port = 0;

  constructor(private secrets: string[] = []) {}

  get url() {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  trust(...secrets: string[]) {
    this.secrets = secrets;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Down: its port refuses connections until it starts again. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = http.createServer((req, res) => this.handle(req, res));
  }

  ids(): Set<string> {
    return new Set(this.received.map((r) => r.id));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = { 'webhook-id': String(req.headers['webhook-id']), 'webhook-timestamp': String(req.headers['webhook-timestamp']), 'webhook-signature': String(req.headers['webhook-signature']) };
      const verified = this.secrets.every((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      if (!verified || this.secrets.length === 0) {
        this.refused.push(headers['webhook-id']);
        return void res.writeHead(400).end();
      }
      const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
      const reply = () => {
        // A sender gone before the answer (killed) never learns it was received: kept as not received.
        if (res.destroyed || req.socket.destroyed) return;
        if (typeof this.answer === 'number' && this.answer !== 200) return void res.writeHead(this.answer).end();
        this.received.push({ id: headers['webhook-id'], type: parsed.type, body, data: parsed.data });
        res.writeHead(204).end();
      };
      if (typeof this.answer === 'object') setTimeout(reply, this.answer.delayMs);
      else reply();
    });
  }
}

const subscribe = async (receiver: Receiver, kinds: string[]) => {
  const created = await stack.request('POST', '/webhooks', { role: 'admin', body: { url: receiver.url, kinds } });
  expect(created.status).toBe(201);
  receiver.trust(created.body.secret);
  return created.body as { id: string; secret: string };
};
const order = async (customerId = `CUST-${stripeId('w')}`) => {
  const ordered = await stack.request('POST', '/contracts', {
    role: 'account_manager',
    body: { reference: `HOOK-${stripeId('r')}`, controller: { customerId, name: 'Hooked Client SAS', email: 'privacy@hooked-client.example' }, billingPeriod: 'P1M' },
  });
  expect(ordered.status).toBe(201);
  return ordered.body as { id: string; reference: string };
};
const deliveriesOf = async (id: string) => (await stack.request('GET', `/webhooks/${id}/deliveries?limit=500`, { role: 'admin' })).body.items as { id: string; kind: string; state: string; attempts: { statusCode: number | null; error: string | null }[] }[];

describe('signed events out (DESIGN §9)', () => {
  // Each test's endpoints end with it: none left failing behind it for the next.
  afterEach(async () => {
    for (const { id } of (await stack.request('GET', '/webhooks', { role: 'admin' })).body.items as { id: string }[]) await stack.request('DELETE', `/webhooks/${id}`, { role: 'admin' });
  });
  it('an admin subscribes an endpoint to chosen kinds and gets its secret once, sealed at rest; bad subscriptions are refused', async () => {
    const receiver = await new Receiver().start();
    const created = await subscribe(receiver, ['contract.ordered']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const listed = await stack.request('GET', '/webhooks', { role: 'admin' });
    expect(listed.body.items.find((s: { id: string }) => s.id === created.id)).toMatchObject({ url: receiver.url, kinds: ['contract.ordered'], status: 'active' });
    expect(JSON.stringify(listed.body)).not.toContain(created.secret);
    expect(JSON.stringify(await rows(`SELECT * FROM webhook_subscriptions`))).not.toContain(created.secret.slice(6));
    expect((await stack.request('GET', '/webhooks/kinds', { role: 'admin' })).body.kinds).toEqual(expect.arrayContaining(['contract.ordered', 'contract.destroyed', 'breach-notice.sent', 'instruction.on_hold', 'sub-processor-change.notified', 'sub-processor-change.effective', 'clock.overdue']));
    const refused = [
      await stack.request('POST', '/webhooks', { role: 'admin', body: { url: receiver.url, kinds: ['contract.exploded'] } }),
      await stack.request('POST', '/webhooks', { role: 'admin', body: { url: 'ftp://siem.example/x', kinds: ['contract.ordered'] } }),
      await stack.request('POST', '/webhooks', { role: 'admin', body: { url: receiver.url, kinds: [] } }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400]);
    expect((await stack.request('POST', '/webhooks', { role: 'billing', body: { url: receiver.url, kinds: ['contract.ordered'] } })).status).toBe(403);
    expect((await stack.request('DELETE', `/webhooks/${created.id}`, { role: 'admin' })).status).toBe(204);
    expect((await stack.request('GET', `/webhooks/${created.id}`, { role: 'admin' })).status).toBe(404);
    await receiver.stop();
  });

  it("each fact goes to the endpoints of its kind, signed, with the contract's reference and customer number and no name or email; a receiver down for a while gets every one once it is back, each under its own id", async () => {
    const receiver = await new Receiver().start();
    const other = await new Receiver().start();
    const sub = await subscribe(receiver, ['contract.ordered', 'contract.active']);
    await subscribe(other, ['contract.terminated']);
    const first = await order('CUST-HOOK-1');
    await waitFor('contract.ordered delivered', async () => receiver.received.some((r) => (r.data.file as { id: string }).id === first.id), { timeoutMs: 20_000, intervalMs: 100 });
    const delivered = receiver.received.find((r) => (r.data.file as { id: string }).id === first.id)!;
    expect(delivered.type).toBe('contract.ordered');
    expect(delivered.data).toMatchObject({ file: { type: 'contract', id: first.id, version: 1 }, contract: { id: first.id, reference: first.reference, customerId: 'CUST-HOOK-1' }, status: 'ordered' });
    expect(delivered.body).not.toMatch(/Hooked Client|privacy@hooked/);
    expect(other.received).toEqual([]);

    // Down: three orders while its port refuses connections, then back.
    await receiver.stop();
    const orders = [await order(), await order(), await order()];
    await waitFor('tried while down', async () => (await deliveriesOf(sub.id)).filter((d) => d.attempts.some((a) => a.error !== null)).length >= 3, { timeoutMs: 20_000, intervalMs: 100 });
    await receiver.start();
    const idsOf = (o: { id: string }) => receiver.received.filter((r) => (r.data.file as { id: string }).id === o.id).map((r) => r.id);
    await waitFor('every order delivered', async () => orders.every((o) => idsOf(o).length > 0), { timeoutMs: 20_000, intervalMs: 100 });
    // The receiver has each a moment before the deliverer records its answer: wait for the records.
    let deliveries = await deliveriesOf(sub.id);
    await waitFor('every delivery recorded', async () => {
      deliveries = await deliveriesOf(sub.id);
      return orders.every((o) => ['delivered', 'failed'].includes(deliveries.find((d) => d.id === idsOf(o)[0])?.state ?? 'pending'));
    }, { timeoutMs: 20_000, intervalMs: 100 });
    for (const o of orders) {
      const ids = idsOf(o);
      expect(new Set(ids).size, o.id).toBe(1);
      const d = deliveries.find((x) => x.id === ids[0]);
      expect(d).toMatchObject({ kind: 'contract.ordered', state: 'delivered' });
      expect(d!.attempts.at(-1)!.statusCode).toBe(204);
      expect(d!.attempts.slice(0, -1).every((a) => a.statusCode === null && a.error !== null)).toBe(true);
    }
    await Promise.all([receiver.stop(), other.stop()]);
  });

  it('while a secret is rotated both sign; an endpoint that keeps failing is given up after WEBHOOK_RETRY_FOR, marked failing, and the DPO emailed once', async () => {
    const receiver = await new Receiver().start();
    const sub = await subscribe(receiver, ['contract.ordered']);
    const rotated = await stack.request('POST', `/webhooks/${sub.id}/secret`, { role: 'admin' });
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(sub.secret);
    expect(rotated.body.previousSecretSignsUntil).not.toBeNull();
    // The receiver checks the delivery against each secret alone: both signatures are there.
    receiver.trust(sub.secret, rotated.body.secret);
    const c = await order();
    await waitFor('delivered under both secrets', async () => receiver.received.some((r) => (r.data.file as { id: string }).id === c.id), { timeoutMs: 20_000, intervalMs: 100 });
    expect(receiver.refused).toEqual([]);

    receiver.answer = 500;
    const failed = await order();
    await waitFor('given up', async () => (await deliveriesOf(sub.id)).some((d) => d.state === 'failed'), { timeoutMs: 30_000, intervalMs: 200 });
    const given = (await deliveriesOf(sub.id)).find((d) => d.state === 'failed')!;
    expect(given.attempts.length).toBeGreaterThan(1);
    expect(given.attempts.every((a) => a.statusCode === 500)).toBe(true);
    expect((await stack.request('GET', `/webhooks/${sub.id}`, { role: 'admin' })).body).toMatchObject({ status: 'failing' });
    const mail = await stack.mail.waitFor((m) => m.to.includes('dpo@processor.example') && m.subject === 'An event subscription is failing' && m.text.replace(/\s+/g, '').includes(sub.id));
    expect(mail.text).toContain(`127.0.0.1:${receiver.port}`);
    expect(failed.id).toBeTruthy();
    // Active again at the first delivery accepted.
    receiver.answer = 200;
    const after = await order();
    await waitFor('delivered again', async () => receiver.received.some((r) => (r.data.file as { id: string }).id === after.id), { timeoutMs: 20_000, intervalMs: 100 });
    await waitFor('active again', async () => (await stack.request('GET', `/webhooks/${sub.id}`, { role: 'admin' })).body.status === 'active', { timeoutMs: 5_000, intervalMs: 100 });
    expect(stack.mail.messages.filter((m) => m.subject === 'An event subscription is failing' && m.text.replace(/\s+/g, '').includes(sub.id))).toHaveLength(1);
    await receiver.stop();
  });

  it('a clock overdue is told once, by its kind and due instant (an audit scheduled a millisecond after its request)', async () => {
    const receiver = await new Receiver().start();
    await subscribe(receiver, ['clock.overdue']);
    const c = await order('CUST-HOOK-CLOCK');
    const requestedAt = new Date().toISOString();
    const audit = await stack.request('POST', `/contracts/${c.id}/audits`, { role: 'dpo', body: { kind: 'audit', requestedAt, scope: 'Backups of the Paris datacenter' } });
    expect(audit.status).toBe(201);
    const scheduledFor = new Date(Date.parse(requestedAt) + 1).toISOString();
    expect((await stack.request('POST', `/contracts/${c.id}/audits/${audit.body.id}/schedule`, { role: 'dpo', body: { scheduledFor } })).status).toBe(200);
    await waitFor('overdue told', async () => receiver.received.some((r) => (r.data.file as { id: string }).id === audit.body.id), { timeoutMs: 20_000, intervalMs: 100 });
    const told = receiver.received.filter((r) => (r.data.file as { id: string }).id === audit.body.id);
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ type: 'clock.overdue', data: { file: { type: 'audit', id: audit.body.id }, contract: { id: c.id, reference: c.reference, customerId: 'CUST-HOOK-CLOCK' }, clock: 'audit-scheduled', dueAt: scheduledFor, whose: 'processor' } });
    expect(await rows(`SELECT count(*)::int AS n FROM webhook_facts WHERE stream_id = $1 AND kind = 'clock.overdue'`, [audit.body.id])).toEqual([{ n: 1 }]);
    await receiver.stop();
  });

  it('a worker killed in the middle of deliveries neither loses nor duplicates a webhook-id: each fact arrives under its one id, with the same body', async () => {
    const receiver = await new Receiver().start();
    const sub = await subscribe(receiver, ['contract.ordered']);
    receiver.answer = { delayMs: 1_500 };
    const orders = await Promise.all(Array.from({ length: 8 }, () => order()));
    // Deliveries are in flight (the endpoint is slow) when the worker dies.
    const held = `SELECT fact_id::text AS id FROM webhook_deliveries WHERE subscription_id = $1 AND leased_until > now()`;
    await waitFor('deliveries in flight', async () => (await rows(held, [sub.id])).length > 0, { timeoutMs: 20_000, intervalMs: 50 });
    const inFlight = (await rows(held, [sub.id])).map((r) => r.id as string);
    await stack.killWorker();
    receiver.answer = 200;
    await stack.startWorker();
    await waitFor('every order delivered', async () => orders.every((o) => receiver.received.some((r) => (r.data.file as { id: string }).id === o.id)), { timeoutMs: 60_000, intervalMs: 200 });
    for (const o of orders) {
      const got = receiver.received.filter((r) => (r.data.file as { id: string }).id === o.id);
      expect(new Set(got.map((g) => g.id)).size, o.id).toBe(1);
      expect(new Set(got.map((g) => g.body)).size, o.id).toBe(1);
    }
    const ids = orders.map((o) => receiver.received.find((r) => (r.data.file as { id: string }).id === o.id)!.id);
    expect(new Set(ids).size).toBe(orders.length);
    // Those the killed worker held were sent again by the new one once their lease ran out, under the same id.
    // (The receiver has them a moment before the new worker records their answer.)
    const heldOnes = async () => rows(`SELECT fact_id::text AS id, attempts, state FROM webhook_deliveries WHERE subscription_id = $1 AND fact_id = ANY($2::uuid[])`, [sub.id, inFlight]);
    await waitFor('held deliveries recorded delivered', async () => (await heldOnes()).every((d) => d.state === 'delivered'), { timeoutMs: 10_000, intervalMs: 100 });
    const again = await heldOnes();
    expect(again.length).toBe(inFlight.length);
    expect(again.length).toBeGreaterThan(0);
    expect(again.some((d) => (d.attempts as number) >= 2)).toBe(true);
    await receiver.stop();
  });
});
