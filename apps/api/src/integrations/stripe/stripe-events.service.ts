import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addDuration, isBefore, isUuid, type OrderedOrLater } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { contractsOfController } from '#infra/controllers';
import { type Principal } from '#infra/auth/api-keys';
import { ApiError } from '../../common/api-error';
import { DEFAULT_PAGE, readCursor, toPage } from '../../common/pagination';
import { toApiError } from '../../common/error.filter';
import { APP_CONFIG } from '../../config/config.module';
import { ContractCommands } from '../../contracts/contract-commands.service';
import { ContractQueries } from '../../contracts/contract-queries.service';
import { STRIPE_API_VERSION, STRIPE_EVENT_ID, type ReceivedEvent, type StripeFacts } from './facts';

export const STRIPE_EVENT_STATES = ['received', 'applied', 'mapped', 'unmatched'] as const;
export type StripeEventState = (typeof STRIPE_EVENT_STATES)[number];

/** Why an event was kept unmatched: a code a program reads, and a sentence an admin reads. */
class Unmatched extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface EventRow {
  id: string;
  type: string;
  api_version: string | null;
  livemode: boolean;
  created_at: Date;
  received_at: Date;
  facts: StripeFacts | null;
  state: StripeEventState;
  reason_code: string | null;
  reason: string | null;
  contract_id: string | null;
  attempts: number;
  processed_at: Date | null;
}

export interface StripeEventView {
  readonly id: string;
  readonly type: string;
  readonly apiVersion: string | null;
  readonly livemode: boolean;
  readonly createdAt: string;
  readonly receivedAt: string;
  readonly state: StripeEventState;
  readonly reason: { readonly code: string; readonly message: string } | null;
  readonly contractId: string | null;
  readonly subscriptionId: string | null;
  readonly customerId: string | null;
  readonly invoiceId: string | null;
  readonly attempts: number;
  readonly processedAt: string | null;
}

const COLUMNS = `id, type, api_version, livemode, created_at, received_at, facts, state, reason_code, reason, contract_id::text AS contract_id, attempts, processed_at`;
/** How long one replica holds an event it processes; past it, another may take the event over. */
const LEASE = '2 minutes';
/** How often each replica looks for events left received (a crash, an engine that could not answer). */
const SWEEP_MS = 5_000;

const view = (r: EventRow): StripeEventView => ({
  id: r.id,
  type: r.type,
  apiVersion: r.api_version,
  livemode: r.livemode,
  createdAt: r.created_at.toISOString(),
  receivedAt: r.received_at.toISOString(),
  state: r.state,
  reason: r.reason_code ? { code: r.reason_code, message: r.reason ?? '' } : null,
  contractId: r.contract_id,
  subscriptionId: r.facts?.subscriptionId ?? null,
  customerId: r.facts?.customerId ?? null,
  invoiceId: r.facts?.kind === 'invoice' ? r.facts.invoiceId : null,
  attempts: r.attempts,
  processedAt: r.processed_at?.toISOString() ?? null,
});

/** What an event asks of a contract, once it is mapped to one. */
type Act = { readonly kind: 'renew'; readonly invoiceId: string; readonly period: { start: string; end: string }; readonly paidAt: string } | { readonly kind: 'non-renewal' } | { readonly kind: 'map' };

/** The billing fact an event is, by DESIGN §9's rules; Unmatched when it is none the engine acts on. */
export function actOf(facts: StripeFacts): Act {
  if (facts.kind === 'subscription') {
    if (facts.deleted || facts.cancelAtPeriodEnd) return { kind: 'non-renewal' };
    throw new Unmatched('stripe.no_billing_fact', 'The subscription was updated without being set to cancel: nothing for a contract.');
  }
  if (facts.billingReason === 'subscription_create') return { kind: 'map' };
  if (facts.billingReason !== 'subscription_cycle') {
    throw new Unmatched('stripe.not_a_renewal', `An invoice paid for "${facts.billingReason ?? 'no reason'}" is not a renewal: only a subscription_cycle invoice renews a contract.`);
  }
  if (facts.period === null) throw new Unmatched('stripe.no_period', 'The invoice has no single subscription line whose period is the covered period.');
  if (facts.paidAt === null) throw new Unmatched('stripe.not_paid', 'The invoice has no paid_at instant.');
  return { kind: 'renew', invoiceId: facts.invoiceId, period: facts.period, paidAt: facts.paidAt };
}

/**
 * DESIGN §9: Stripe's billing facts, kept then processed. The edge stores a verified event in one
 * statement and answers; then this replica processes it at once, and any replica's sweep takes over
 * an event left received (a crash, an engine that could not answer). An event maps to a contract
 * (an admin's mapping, else the subscription's metadata, else the subscription's recorded mapping,
 * else the one contract of the controller whose record names its Stripe customer) and becomes the
 * contract's command, recorded as billing's; whatever does not map, or the domain refuses, is kept
 * unmatched with its reason until an admin fixes a mapping and replays it.
 */
@Injectable()
export class StripeEvents implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('StripeEvents');
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(ContractCommands) private readonly commands: ContractCommands,
    @Inject(ContractQueries) private readonly queries: ContractQueries,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.stripe.webhookSecrets.length === 0) return;
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  /** Stores a verified event (once by its id) and starts processing it; throws when storage is down. */
  async store(e: ReceivedEvent): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO stripe_events (id, type, api_version, livemode, created_at, facts) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [e.id, e.type, e.apiVersion, e.livemode, e.createdAt, e.facts === null ? null : JSON.stringify(e.facts)],
    );
    setImmediate(() => void this.process(e.id).catch(() => undefined));
  }

  /** Events left received whose lease (if any) has run out, oldest first. */
  async sweep(): Promise<void> {
    const rows = (await this.dataSource.query(`SELECT id FROM stripe_events WHERE state = 'received' AND (leased_until IS NULL OR leased_until < now()) ORDER BY received_at LIMIT 50`)) as { id: string }[];
    for (const { id } of rows) await this.process(id);
  }

  /** Processes one received event if no other replica holds it; a failure of the engine leaves it received, retried later. */
  async process(id: string): Promise<void> {
    const [claimed] = (await this.dataSource.query(
      `WITH claimed AS (
         UPDATE stripe_events SET leased_until = now() + interval '${LEASE}', attempts = attempts + 1
          WHERE id = $1 AND state = 'received' AND (leased_until IS NULL OR leased_until < now())
          RETURNING id, api_version, livemode, facts, leased_until::text AS lease)
       SELECT * FROM claimed`,
      [id],
    )) as { id: string; api_version: string | null; livemode: boolean; facts: StripeFacts | null; lease: string }[];
    if (!claimed) return;
    let outcome: { state: Exclude<StripeEventState, 'received'>; contractId: string | null; code: string | null; reason: string | null };
    try {
      const done = await this.apply(claimed);
      outcome = { ...done, code: null, reason: null };
    } catch (e) {
      const refusal = e instanceof Unmatched ? e : toApiError(e);
      if (!(refusal instanceof Unmatched) && refusal.status >= 500) {
        // The engine could not answer (no worker, Temporal or the store away): tried again by a sweep, after a pause.
        this.log.warn(`Stripe event ${id} not processed yet (${refusal.code}); it stays received and is tried again`);
        await this.dataSource.query(`UPDATE stripe_events SET leased_until = now() + least(interval '5 seconds' * attempts, interval '5 minutes') WHERE id = $1 AND leased_until::text = $2`, [id, claimed.lease]);
        return;
      }
      outcome = { state: 'unmatched', contractId: (e as { contractId?: string }).contractId ?? null, code: refusal.code, reason: refusal.message };
    }
    // Fenced by the lease: a replica whose hold ran out and was taken over writes nothing.
    await this.dataSource.query(
      `UPDATE stripe_events SET state = $3, contract_id = $4, reason_code = $5, reason = $6, processed_at = now(), leased_until = NULL WHERE id = $1 AND leased_until::text = $2`,
      [id, claimed.lease, outcome.state, outcome.contractId, outcome.code, outcome.reason],
    );
  }

  private async apply(row: { id: string; api_version: string | null; livemode: boolean; facts: StripeFacts | null }): Promise<{ state: 'applied' | 'mapped'; contractId: string }> {
    if (row.api_version !== STRIPE_API_VERSION || row.facts === null) {
      throw new Unmatched('stripe.api_version', `The event is written in Stripe API version ${row.api_version ?? '(none)'}; the engine reads ${STRIPE_API_VERSION}: set the endpoint's API version to it in Stripe.`);
    }
    if (row.livemode !== this.config.stripe.livemode) {
      throw new Unmatched('stripe.livemode', `A ${row.livemode ? 'live' : 'test'}-mode event, where the engine takes ${this.config.stripe.livemode ? 'live' : 'test'}-mode ones (STRIPE_LIVEMODE).`);
    }
    const facts = row.facts;
    const act = actOf(facts);
    const contractId = await this.contractOf(facts);
    const withContract = (e: unknown) => Object.assign(e as object, { contractId });
    try {
      const principal: Principal = { keyId: `stripe:${row.id}`, role: 'billing', name: 'Stripe webhook' };
      if (act.kind === 'renew') await this.commands.acceptRenewal(contractId, { invoiceId: act.invoiceId, coveredPeriod: act.period, acceptedAt: act.paidAt }, principal);
      if (act.kind === 'non-renewal') await this.commands.noticeNonRenewal(contractId, facts.kind === 'subscription' && facts.deleted ? 'the Stripe subscription was deleted' : 'the Stripe subscription is set to cancel at the end of its period', principal);
    } catch (e) {
      throw withContract(e);
    }
    return { state: act.kind === 'map' ? 'mapped' : 'applied', contractId };
  }

  /** The contract a subscription maps to, with enough grace for Stripe's timing; the first mapping is recorded. */
  private async contractOf(facts: StripeFacts): Promise<string> {
    const subscriptionId = facts.subscriptionId;
    if (subscriptionId === null) throw new Unmatched('stripe.no_subscription', 'The invoice belongs to no subscription: only a subscription renews a contract.');
    const [recorded] = (await this.dataSource.query(`SELECT contract_id::text AS contract_id, source FROM stripe_subscriptions WHERE subscription_id = $1`, [subscriptionId])) as { contract_id: string; source: string }[];
    let contractId: string;
    let source: 'metadata' | 'customer' | null = null;
    if (recorded?.source === 'admin') contractId = recorded.contract_id;
    else if (facts.contractId !== null) [contractId, source] = [facts.contractId, 'metadata'];
    else if (recorded) contractId = recorded.contract_id;
    else [contractId, source] = [await this.byCustomer(subscriptionId, facts.customerId), 'customer'];

    const contract = await this.queries.snapshot(contractId);
    if (contract === null || contract.state.status === 'none') throw new Unmatched('stripe.unknown_contract', `The subscription names contract ${contractId}, which does not exist.`);
    this.graceOf(contract.state);
    if (source !== null) {
      await this.dataSource.query(`INSERT INTO stripe_subscriptions (subscription_id, contract_id, source) VALUES ($1, $2, $3) ON CONFLICT (subscription_id) DO NOTHING`, [subscriptionId, contractId, source]);
    }
    return contractId;
  }

  /** The one contract, not ended and not another subscription's, of the controller whose record names this customer. */
  private async byCustomer(subscriptionId: string, customerId: string | null): Promise<string> {
    if (customerId === null) throw new Unmatched('stripe.no_customer', 'The event names no customer and its subscription no contract.');
    const controllers = (await this.dataSource.query(`SELECT identity FROM controllers WHERE state->>'stripeCustomerId' = $1`, [customerId])) as { identity: string }[];
    if (controllers.length === 0) throw new Unmatched('stripe.unknown_customer', `No controller record names Stripe customer ${customerId}, and the subscription has no metadata.dpa_contract_id.`);
    const candidates: string[] = [];
    for (const { identity } of controllers) {
      const of = contractsOfController(identity, 1);
      const rows = (await this.dataSource.query(
        `SELECT c.id::text AS id FROM contracts c
          WHERE ${of.where} AND c.status IN ('ordered', 'active')
            AND NOT EXISTS (SELECT 1 FROM stripe_subscriptions s WHERE s.contract_id = c.id AND s.subscription_id <> $2)`,
        [of.value, subscriptionId],
      )) as { id: string }[];
      candidates.push(...rows.map((r) => r.id));
    }
    if (candidates.length === 0) throw new Unmatched('stripe.no_contract', `The controller of Stripe customer ${customerId} has no contract in force that another subscription does not already pay for.`);
    if (candidates.length > 1) throw new Unmatched('stripe.ambiguous', `The controller of Stripe customer ${customerId} has ${candidates.length} contracts this subscription could pay for: set the subscription's metadata.dpa_contract_id, or map it.`);
    return candidates[0]!;
  }

  /** DESIGN §9: Stripe finalises a renewal about an hour into the period and retries a payment for days. */
  private graceOf(state: OrderedOrLater): void {
    const from = state.status === 'active' && state.termEnd ? state.termEnd : state.orderedAt;
    const min = this.config.stripe.minGrace;
    if (isBefore(addDuration(from, state.renewalGracePeriod), addDuration(from, min))) {
      throw Object.assign(new Unmatched('stripe.grace_too_short', `The contract's renewal grace period (${state.renewalGracePeriod ?? 'none'}) is shorter than STRIPE_MIN_GRACE (${min}): it would expire before Stripe's renewal arrives. Give it a longer grace period, or renew it through POST /contracts/{id}/renewals.`), { contractId: state.contractId });
    }
  }

  async list(state: StripeEventState | undefined, limit = DEFAULT_PAGE, cursor?: string): Promise<{ items: StripeEventView[]; nextCursor: string | null }> {
    // The cursor names the last event of the page; the next page starts after its place (nothing else reaches SQL).
    const after = cursor ? readCursor(cursor, ([id]) => (typeof id === 'string' && STRIPE_EVENT_ID.test(id) ? { id } : null)) : null;
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM stripe_events
        WHERE ($1::text IS NULL OR state = $1)
          AND ($2::text IS NULL OR (received_at, id) < (SELECT received_at, id FROM stripe_events WHERE id = $2))
        ORDER BY received_at DESC, id DESC LIMIT $3`,
      [state ?? null, after?.id ?? null, limit + 1],
    )) as EventRow[];
    return toPage(rows, limit, view, (r) => [r.id]);
  }

  async one(id: string): Promise<StripeEventView> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM stripe_events WHERE id = $1`, [id])) as EventRow[];
    if (!row) throw new ApiError(404, 'not_found', 'No Stripe event with this id is kept.');
    return view(row);
  }

  /** An admin's mapping of a subscription to a contract: it takes precedence over the metadata and any earlier mapping. */
  async map(subscriptionId: string, contractId: string): Promise<{ subscriptionId: string; contractId: string; source: 'admin'; mappedAt: string }> {
    if (!isUuid(contractId)) throw new ApiError(400, 'invalid_contract_id', 'contractId must be a contract id (a UUID).');
    await this.queries.found(contractId);
    const [row] = (await this.dataSource.query(
      `WITH m AS (INSERT INTO stripe_subscriptions (subscription_id, contract_id, source) VALUES ($1, $2, 'admin')
         ON CONFLICT (subscription_id) DO UPDATE SET contract_id = EXCLUDED.contract_id, source = 'admin', mapped_at = now() RETURNING mapped_at)
       SELECT mapped_at FROM m`,
      [subscriptionId, contractId],
    )) as { mapped_at: Date }[];
    return { subscriptionId, contractId, source: 'admin', mappedAt: row!.mapped_at.toISOString() };
  }

  /** An unmatched event processed again (after its mapping was fixed, say); its outcome is the answer. */
  async replay(id: string): Promise<StripeEventView> {
    const current = await this.one(id);
    if (current.state !== 'unmatched') throw new ApiError(409, 'stripe.not_unmatched', `The event is ${current.state}: only an unmatched event is replayed.`);
    await this.dataSource.query(`UPDATE stripe_events SET state = 'received', reason_code = NULL, reason = NULL, leased_until = NULL, processed_at = NULL WHERE id = $1 AND state = 'unmatched'`, [id]);
    await this.process(id);
    return this.one(id);
  }
}
