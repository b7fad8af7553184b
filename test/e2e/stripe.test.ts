import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { waitFor } from '#infra/dev/processes';
import { startStack, type Stack } from '../support/stack';
import { invoicePaid, seconds, signed, stripeId, subscriptionEvent } from '../support/stripe';

/*
 * DESIGN §9, billing in: Stripe's events posted to the real API (and worker, Temporal, PostgreSQL),
 * signed with the stripe package's own test helper. The stack verifies with two secrets (one
 * being rotated) and takes a grace of two seconds as enough (STRIPE_MIN_GRACE), so that a
 * subscription's end can be seen to expire its contract.
 */
const ROTATED = 'whsec_rotatedSecretOfTheTest0000';
let stack: Stack;
let db: Client;
beforeAll(async () => {
  stack = await startStack({ STRIPE_WEBHOOK_SECRETS: `${ROTATED},${DEV_STRIPE_WEBHOOK_SECRET}`, STRIPE_MIN_GRACE: 'PT2S' });
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
    const c = await activeContract({ billingPeriod: 'PT6S', grace: 'PT2S' });
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
