import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §9: billing facts from Stripe's webhooks. Each verified event of a kind the engine acts on
 * is one row, by Stripe's event id (a resent event is the same row), holding only the facts the
 * mapping reads, never Stripe's payload (it carries the customer's name, email and address). A row
 * is `received` until it is processed: then `applied`, `mapped` (it recorded a mapping only) or
 * `unmatched`, with the reason. One API replica at a time holds a row to process it (its lease).
 * A subscription maps to one contract; the first mapping is recorded, and an admin may replace it.
 */
export class StripeEvents1796000020000 implements MigrationInterface {
  readonly name = 'StripeEvents1796000020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stripe_events (
        id              text PRIMARY KEY,
        type            text NOT NULL,
        api_version     text,
        livemode        boolean NOT NULL,
        created_at      timestamptz NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        facts           jsonb,
        state           text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'applied', 'mapped', 'unmatched')),
        reason_code     text,
        reason          text,
        contract_id     uuid,
        leased_until    timestamptz,
        attempts        integer NOT NULL DEFAULT 0,
        processed_at    timestamptz
      )`);
    await q.query(`CREATE INDEX stripe_events_state ON stripe_events (state, received_at)`);
    await q.query(`
      CREATE TABLE stripe_subscriptions (
        subscription_id text PRIMARY KEY,
        contract_id     uuid NOT NULL,
        source          text NOT NULL CHECK (source IN ('metadata', 'customer', 'admin')),
        mapped_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX stripe_subscriptions_contract ON stripe_subscriptions (contract_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE stripe_subscriptions`);
    await q.query(`DROP TABLE stripe_events`);
  }
}
