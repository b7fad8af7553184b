import { z } from 'zod';
import { isUuid } from '#domain';

/**
 * DESIGN §9: what the engine reads from a Stripe event, and nothing more. The shapes are those of
 * one pinned API version: an event written in another version is kept as unmatched rather than
 * read with the wrong shape (since 2025-03-31 an invoice's subscription sits under `parent`, and
 * its lines' periods under each line). Only the fields the mapping needs are taken: never a name,
 * an email or an address, which the raw event carries.
 */
export const STRIPE_API_VERSION = '2026-11-18.endive';

/** The event types the engine acts on; any other verified event is answered and not kept. */
export const STRIPE_EVENT_TYPES = ['invoice.paid', 'customer.subscription.updated', 'customer.subscription.deleted'] as const;
export type StripeEventType = (typeof STRIPE_EVENT_TYPES)[number];

/** What a kept event holds: its billing facts, written in the engine's terms (instants in ISO 8601). */
export type StripeFacts =
  | {
      readonly kind: 'invoice';
      readonly invoiceId: string;
      readonly subscriptionId: string | null;
      readonly customerId: string | null;
      /** The subscription's `metadata.dpa_contract_id` as the invoice snapshots it, when it is a contract id. */
      readonly contractId: string | null;
      readonly billingReason: string | null;
      /** The period of the subscription's line; null when there is none, or several that disagree. */
      readonly period: { readonly start: string; readonly end: string } | null;
      readonly paidAt: string | null;
    }
  | {
      readonly kind: 'subscription';
      readonly subscriptionId: string;
      readonly customerId: string | null;
      readonly contractId: string | null;
      readonly cancelAtPeriodEnd: boolean;
      readonly deleted: boolean;
    };

/** What the edge takes from a verified event before it is stored. */
export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly apiVersion: string | null;
  readonly livemode: boolean;
  readonly createdAt: string;
  /** Null for a type the engine does not act on, and for one in another API version (kept, unmatched). */
  readonly facts: StripeFacts | null;
}

/** A verified event whose shape the pinned version does not allow: refused (400) and not kept. */
export class MalformedStripeEvent extends Error {}

/** The shape of Stripe's ids (evt_…, sub_…): what a path, a form or a cursor may name. */
export const stripeIdShape = (prefix: string): RegExp => new RegExp(`^${prefix}_[A-Za-z0-9]{1,250}$`);
export const STRIPE_EVENT_ID = stripeIdShape('evt');
export const STRIPE_SUBSCRIPTION_ID = stripeIdShape('sub');
const id = (prefix: string) => z.string().regex(stripeIdShape(prefix));
const unix = z.number().int().min(0).max(253_402_300_799);
const customer = z.union([id('cus'), z.object({ id: id('cus') }).transform((c) => c.id)]).nullable().optional();
const subscriptionRef = z.union([id('sub'), z.object({ id: id('sub') }).transform((s) => s.id)]);
const metadata = z.record(z.string(), z.string()).nullable().optional();

const envelope = z.object({
  id: id('evt'),
  object: z.literal('event'),
  type: z.string().min(1).max(100),
  api_version: z.string().max(50).nullable().optional(),
  livemode: z.boolean(),
  created: unix,
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const invoice = z.object({
  id: id('in'),
  customer,
  billing_reason: z.string().max(100).nullable().optional(),
  parent: z
    .object({
      type: z.string(),
      subscription_details: z.object({ subscription: subscriptionRef, metadata }).nullable().optional(),
    })
    .nullable()
    .optional(),
  status_transitions: z.object({ paid_at: unix.nullable().optional() }).optional(),
  lines: z
    .object({
      data: z.array(
        z.object({
          period: z.object({ start: unix, end: unix }),
          parent: z
            .object({ type: z.string(), subscription_item_details: z.object({ subscription: z.string().nullable().optional(), proration: z.boolean().optional() }).nullable().optional() })
            .nullable()
            .optional(),
        }),
      ),
    })
    .optional(),
});

const subscription = z.object({
  id: id('sub'),
  customer,
  metadata,
  cancel_at_period_end: z.boolean().optional(),
});

const instant = (seconds: number) => new Date(seconds * 1000).toISOString();
const contractIdOf = (m: Record<string, string> | null | undefined) => {
  const value = m?.['dpa_contract_id']?.trim().toLowerCase();
  return value && isUuid(value) ? value : null;
};

function invoiceFacts(o: z.infer<typeof invoice>): StripeFacts {
  const details = o.parent?.type === 'subscription_details' ? (o.parent.subscription_details ?? null) : null;
  const subscriptionId = details?.subscription ?? null;
  // The covered period is the subscription's own line's: prorations (a plan changed mid-period) and
  // another subscription's lines are left out.
  const periods = (o.lines?.data ?? [])
    .filter((l) => l.parent?.type === 'subscription_item_details' && l.parent.subscription_item_details?.proration !== true)
    .filter((l) => subscriptionId === null || (l.parent?.subscription_item_details?.subscription ?? subscriptionId) === subscriptionId)
    .map((l) => l.period);
  const distinct = [...new Map(periods.map((p) => [`${p.start}/${p.end}`, p])).values()];
  return {
    kind: 'invoice',
    invoiceId: o.id,
    subscriptionId,
    customerId: o.customer ?? null,
    contractId: contractIdOf(details?.metadata),
    billingReason: o.billing_reason ?? null,
    period: distinct.length === 1 ? { start: instant(distinct[0]!.start), end: instant(distinct[0]!.end) } : null,
    paidAt: o.status_transitions?.paid_at ? instant(o.status_transitions.paid_at) : null,
  };
}

/** Reads a verified event (Stripe's JSON, parsed) into what the engine keeps; throws MalformedStripeEvent. */
export function receivedEvent(parsed: unknown): ReceivedEvent {
  const e = envelope.safeParse(parsed);
  if (!e.success) throw new MalformedStripeEvent('not a Stripe event');
  const { id: eventId, type, livemode, created } = e.data;
  const apiVersion = e.data.api_version ?? null;
  const base = { id: eventId, type, apiVersion, livemode, createdAt: instant(created) };
  if (!(STRIPE_EVENT_TYPES as readonly string[]).includes(type) || apiVersion !== STRIPE_API_VERSION) return { ...base, facts: null };
  if (type === 'invoice.paid') {
    const o = invoice.safeParse(e.data.data.object);
    if (!o.success) throw new MalformedStripeEvent('not an invoice');
    return { ...base, facts: invoiceFacts(o.data) };
  }
  const o = subscription.safeParse(e.data.data.object);
  if (!o.success) throw new MalformedStripeEvent('not a subscription');
  return {
    ...base,
    facts: {
      kind: 'subscription',
      subscriptionId: o.data.id,
      customerId: o.data.customer ?? null,
      contractId: contractIdOf(o.data.metadata),
      cancelAtPeriodEnd: o.data.cancel_at_period_end === true,
      deleted: type === 'customer.subscription.deleted',
    },
  };
}

/**
 * Kept: a type the engine acts on, in whichever version (one in another version is kept unmatched,
 * to be seen and fixed), except a subscription's update that does not cancel it (no billing fact).
 */
export const kept = (e: ReceivedEvent): boolean =>
  (STRIPE_EVENT_TYPES as readonly string[]).includes(e.type) && !(e.facts?.kind === 'subscription' && !e.facts.deleted && !e.facts.cancelAtPeriodEnd);
