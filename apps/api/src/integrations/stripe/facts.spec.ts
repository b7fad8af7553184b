import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { event, invoicePaid, seconds, subscriptionEvent } from '../../../../../test/support/stripe';
import { actOf } from './stripe-events.service';
import { kept, MalformedStripeEvent, receivedEvent, STRIPE_API_VERSION } from './facts';

const CONTRACT = '0b7f3c1e-5d2a-4c8e-9f10-2a3b4c5d6e7f';
const period = { start: '2027-02-01T00:00:00.000Z', end: '2027-03-01T00:00:00.000Z' };
const invoice = (billingReason: string, more: Partial<Parameters<typeof invoicePaid>[0]> = {}) =>
  invoicePaid({ customer: 'cus_Alpha1', subscription: 'sub_Alpha1', billingReason, period, paidAt: '2027-02-01T01:02:03.000Z', invoiceId: 'in_Alpha1', ...more });

describe("what the engine reads of Stripe's events (DESIGN §9)", () => {
  it('pins the API version the stripe package is written for: a new package means reading its shapes again', () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });

  it("an invoice paid: its id, subscription (under parent), customer, metadata's contract, reason, the subscription line's period and paid_at; no personal data", () => {
    const e = receivedEvent(invoice('subscription_cycle', { contractId: CONTRACT.toUpperCase() }));
    expect(e.facts).toEqual({
      kind: 'invoice',
      invoiceId: 'in_Alpha1',
      subscriptionId: 'sub_Alpha1',
      customerId: 'cus_Alpha1',
      contractId: CONTRACT,
      billingReason: 'subscription_cycle',
      period,
      paidAt: '2027-02-01T01:02:03.000Z',
    });
    expect(JSON.stringify(e)).not.toMatch(/Jane|jane|Paix|Paris/);
    expect(kept(e)).toBe(true);
    expect(actOf(e.facts!)).toEqual({ kind: 'renew', invoiceId: 'in_Alpha1', period, paidAt: '2027-02-01T01:02:03.000Z' });
  });

  it('only a subscription_cycle invoice renews; subscription_create records the mapping; any other reason is unmatched with it', () => {
    expect(actOf(receivedEvent(invoice('subscription_create')).facts!)).toEqual({ kind: 'map' });
    for (const reason of ['subscription_update', 'manual', 'subscription_threshold']) {
      expect(() => actOf(receivedEvent(invoice(reason)).facts!)).toThrow(new RegExp(`"${reason}" is not a renewal`));
    }
    // Two subscription lines of different periods: no single covered period.
    const two = invoice('subscription_cycle');
    const lines = (two.data.object as { lines: { data: { period: { start: number; end: number } }[] } }).lines.data;
    lines.push({ ...lines[0]!, period: { start: lines[0]!.period.start, end: lines[0]!.period.end + 86_400 } });
    expect(() => actOf(receivedEvent(two).facts!)).toThrow(/no single subscription line/);
    // A cycle invoice that also carries prorations (a plan changed mid-period): its own line's period.
    const prorated = invoice('subscription_cycle');
    const own = (prorated.data.object as { lines: { data: Record<string, unknown>[] } }).lines.data;
    const proration = { ...own[0]!, period: { start: seconds('2027-01-15T00:00:00.000Z'), end: seconds(period.start) }, parent: { type: 'subscription_item_details', subscription_item_details: { subscription: 'sub_Alpha1', proration: true } } };
    own.push(proration);
    expect(actOf(receivedEvent(prorated).facts!)).toMatchObject({ kind: 'renew', period });
  });

  it('a subscription set to cancel at the period end, or deleted, is a non-renewal; an update that does not cancel is not kept', () => {
    const cancelling = receivedEvent(subscriptionEvent('customer.subscription.updated', { customer: 'cus_A1', subscription: 'sub_A1', cancelAtPeriodEnd: true }));
    expect(kept(cancelling)).toBe(true);
    expect(actOf(cancelling.facts!)).toEqual({ kind: 'non-renewal' });
    const deleted = receivedEvent(subscriptionEvent('customer.subscription.deleted', { customer: 'cus_A1', subscription: 'sub_A1' }));
    expect(actOf(deleted.facts!)).toEqual({ kind: 'non-renewal' });
    expect(kept(receivedEvent(subscriptionEvent('customer.subscription.updated', { customer: 'cus_A1', subscription: 'sub_A1' })))).toBe(false);
  });

  it('an event in another API version is kept without facts (unmatched later); a type the engine does not act on is not kept', () => {
    const old = receivedEvent(invoicePaid({ customer: 'cus_A', subscription: 'sub_A', billingReason: 'subscription_cycle', period, paidAt: period.start }, { apiVersion: '2024-06-20' }));
    expect(old).toMatchObject({ apiVersion: '2024-06-20', facts: null });
    expect(kept(old)).toBe(true);
    expect(kept(receivedEvent(event('customer.created', { id: 'cus_A', object: 'customer', email: 'x@y.example' })))).toBe(false);
  });

  it('a verified event the pinned shape does not allow is malformed (400, not kept)', () => {
    expect(() => receivedEvent({ id: 'nope' })).toThrow(MalformedStripeEvent);
    const bad = invoice('subscription_cycle');
    (bad.data.object as { id: unknown }).id = 42;
    expect(() => receivedEvent(bad)).toThrow(MalformedStripeEvent);
    const sub = subscriptionEvent('customer.subscription.deleted', { customer: 'cus_A1', subscription: 'sub_A1' });
    (sub.data.object as { id: unknown }).id = 'not-a-subscription';
    expect(() => receivedEvent(sub)).toThrow(MalformedStripeEvent);
  });
});
