import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Outbox rows are claimed one at a time with a lease (no transaction held across an SMTP send),
 * and an idempotency record knows which request claimed it, so a request taken over after a crash
 * cannot have its answer overwritten by the one it replaced.
 */
export class OutboxLeasesAndIdempotencyClaims1796000002000 implements MigrationInterface {
  readonly name = 'OutboxLeasesAndIdempotencyClaims1796000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent'))`);
    await q.query(`ALTER TABLE outbox ADD COLUMN lease_until timestamptz`);
    await q.query(`DROP INDEX IF EXISTS outbox_pending`);
    await q.query(`CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status <> 'sent'`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN claim uuid`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN claim`);
    await q.query(`DROP INDEX IF EXISTS outbox_due`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`ALTER TABLE outbox DROP COLUMN lease_until`);
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent'))`);
  }
}
