import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** API keys (stored hashed, one role each) and the Idempotency-Key record of answered POSTs. */
export class ApiKeysAndIdempotency1796000001000 implements MigrationInterface {
  readonly name = 'ApiKeysAndIdempotency1796000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_keys (
        id          uuid PRIMARY KEY,
        name        text NOT NULL,
        role        text NOT NULL CHECK (role IN ('account_manager', 'billing', 'dpo', 'admin')),
        prefix      text NOT NULL UNIQUE,
        key_hash    text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
    await q.query(`
      CREATE TABLE idempotency_keys (
        api_key_id      text NOT NULL,
        key             text NOT NULL,
        method          text NOT NULL,
        path            text NOT NULL,
        request_hash    text NOT NULL,
        status          text NOT NULL CHECK (status IN ('in_progress', 'completed')),
        response_status integer,
        response_body   jsonb,
        created_at      timestamptz NOT NULL DEFAULT now(),
        completed_at    timestamptz,
        PRIMARY KEY (api_key_id, key)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
    await q.query(`DROP TABLE IF EXISTS api_keys`);
  }
}
