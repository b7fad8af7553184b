import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §8: anyone may subscribe an address to the announcements of sub-processor changes. The
 * addresses live in this mutable table only, never in an event: an unconfirmed one is deleted after
 * 48 hours from its first asking, an unsubscribed one at once (its announcements' rows with it).
 * Only the opt-in token's hash is kept; the unsubscribe token is kept as it is, for every email to
 * carry it (it can do nothing but unsubscribe its own address). Each announcement to each subscriber
 * is a row, claimed by one API replica at a time and fenced by its lease, and sent at least once with
 * a fixed Message-ID; one the relay refuses for good is marked failed and not tried again.
 */
export class SubProcessorSubscribers1796000019000 implements MigrationInterface {
  readonly name = 'SubProcessorSubscribers1796000019000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sub_processor_subscribers (
        id           uuid PRIMARY KEY,
        address      text NOT NULL UNIQUE,
        confirm_hash text UNIQUE,
        unsubscribe_token text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz
      )`);
    await q.query(`CREATE INDEX sub_processor_subscribers_unconfirmed ON sub_processor_subscribers (created_at) WHERE confirmed_at IS NULL`);
    await q.query(`
      CREATE TABLE sub_processor_announcements (
        change_id     uuid NOT NULL,
        subscriber_id uuid NOT NULL REFERENCES sub_processor_subscribers (id) ON DELETE CASCADE,
        leased_until  timestamptz,
        sent_at       timestamptz,
        failed_at     timestamptz,
        PRIMARY KEY (change_id, subscriber_id)
      )`);
    await q.query(`CREATE INDEX sub_processor_announcements_unsent ON sub_processor_announcements (change_id) WHERE sent_at IS NULL AND failed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sub_processor_announcements`);
    await q.query(`DROP TABLE sub_processor_subscribers`);
  }
}
