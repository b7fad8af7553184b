import Stripe from 'stripe';
import { DEV_STRIPE_WEBHOOK_SECRET } from '#infra/config/config';
import { STRIPE_API_VERSION } from '../../apps/api/src/integrations/stripe/facts';

/*
 * Stripe events as Stripe sends them (API version STRIPE_API_VERSION), with the personal data a
 * real one carries (the customer's name, email and address), signed with the `stripe` package's own
 * test helper. Instants are in seconds, as Stripe writes them.
 */

export const seconds = (instant: string) => Math.floor(Date.parse(instant) / 1000);
let sequence = 0;
export const stripeId = (prefix: string) => `${prefix}_T${Date.now().toString(36)}${(sequence++).toString(36)}${Math.random().toString(36).slice(2, 8)}`;

const PERSONAL = { customer_email: 'jane.payer@client.example', customer_name: 'Jane Payer', customer_address: { line1: '1 rue de la Paix', city: 'Paris', country: 'FR' } };

export function event(type: string, object: Record<string, unknown>, extra: { id?: string; livemode?: boolean; apiVersion?: string } = {}) {
  return {
    id: extra.id ?? stripeId('evt'),
    object: 'event',
    api_version: extra.apiVersion ?? STRIPE_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: extra.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export interface InvoiceOptions {
  readonly customer: string;
  readonly subscription: string;
  readonly billingReason: string;
  readonly period: { readonly start: string; readonly end: string };
  readonly paidAt: string;
  readonly contractId?: string;
  readonly invoiceId?: string;
}

/** An `invoice.paid`: the subscription under `parent`, the period on the subscription's line. */
export function invoicePaid(o: InvoiceOptions, extra: Parameters<typeof event>[2] = {}) {
  const invoiceId = o.invoiceId ?? stripeId('in');
  return event(
    'invoice.paid',
    {
      id: invoiceId,
      object: 'invoice',
      customer: o.customer,
      ...PERSONAL,
      billing_reason: o.billingReason,
      status: 'paid',
      amount_paid: 4900,
      currency: 'eur',
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { subscription: o.subscription, metadata: o.contractId ? { dpa_contract_id: o.contractId } : {} } },
      status_transitions: { finalized_at: seconds(o.period.start), paid_at: seconds(o.paidAt), marked_uncollectible_at: null, voided_at: null },
      period_start: seconds(o.period.start) - 1,
      period_end: seconds(o.period.start),
      lines: {
        object: 'list',
        has_more: false,
        data: [
          {
            id: stripeId('il'),
            object: 'line_item',
            amount: 4900,
            description: '1 × Managed hosting (at €49.00 / month)',
            period: { start: seconds(o.period.start), end: seconds(o.period.end) },
            parent: { type: 'subscription_item_details', invoice_item_details: null, subscription_item_details: { subscription: o.subscription, subscription_item: stripeId('si'), proration: false } },
          },
        ],
      },
    },
    extra,
  );
}

/** `customer.subscription.updated` (set to cancel at the period's end, or not) or `.deleted`. */
export function subscriptionEvent(type: 'customer.subscription.updated' | 'customer.subscription.deleted', o: { customer: string; subscription: string; cancelAtPeriodEnd?: boolean; contractId?: string }, extra: Parameters<typeof event>[2] = {}) {
  return event(
    type,
    {
      id: o.subscription,
      object: 'subscription',
      customer: o.customer,
      status: type === 'customer.subscription.deleted' ? 'canceled' : 'active',
      cancel_at_period_end: o.cancelAtPeriodEnd ?? false,
      metadata: o.contractId ? { dpa_contract_id: o.contractId } : {},
      items: { object: 'list', data: [] },
    },
    extra,
  );
}

/** The body (an event, or text as it is) and its Stripe-Signature header, signed as Stripe signs (at `timestamp`, seconds; now by default). */
export function signed(payload: object | string, options: { secret?: string; timestamp?: number } = {}): { body: string; signature: string } {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: options.secret ?? DEV_STRIPE_WEBHOOK_SECRET, ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }) });
  return { body, signature };
}
