import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §9, events out. A fact is written in the append's own statement (a status a file enters),
 * or by the deliverer's scan (a clock overdue), once by its id. A subscription is an endpoint and
 * the kinds it chose, its signing secret sealed under the vault's master key (the previous one kept
 * while it is rotated). Each fact is fanned out once to the subscriptions of its kind that existed
 * when it was recorded, as a delivery: tried until it is answered 2xx, with a pause that grows, for
 * the retry window; each try kept with its outcome. A delivery is held by one worker at a time
 * (its lease) and finished only by its holder.
 */
export class Webhooks1796000021000 implements MigrationInterface {
  readonly name = 'Webhooks1796000021000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_facts (
        seq            bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        id             uuid PRIMARY KEY,
        kind           text NOT NULL,
        stream_type    text NOT NULL,
        stream_id      text NOT NULL,
        stream_version integer,
        contract_id    uuid,
        facts          jsonb NOT NULL DEFAULT '{}'::jsonb,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        fanned_out     boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX webhook_facts_unfanned ON webhook_facts (seq) WHERE NOT fanned_out`);
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id                     uuid PRIMARY KEY,
        url                    text NOT NULL,
        kinds                  text[] NOT NULL,
        secret_sealed          text NOT NULL,
        previous_secret_sealed text,
        previous_until         timestamptz,
        status                 text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing')),
        failing_since          timestamptz,
        created_at             timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        fact_id         uuid NOT NULL REFERENCES webhook_facts (id),
        state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        leased_until    timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        PRIMARY KEY (subscription_id, fact_id)
      )`);
    await q.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending'`);
    await q.query(`
      CREATE TABLE webhook_attempts (
        subscription_id uuid NOT NULL,
        fact_id         uuid NOT NULL,
        attempt         integer NOT NULL,
        at              timestamptz NOT NULL,
        duration_ms     integer NOT NULL,
        status_code     integer,
        error           text,
        PRIMARY KEY (subscription_id, fact_id, attempt),
        FOREIGN KEY (subscription_id, fact_id) REFERENCES webhook_deliveries (subscription_id, fact_id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
    await q.query(`DROP TABLE webhook_facts`);
  }
}
