import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The event store (after Emmett and Marten): a global position for order, a per-stream version
 * unique per stream for optimistic concurrency, a unique event id so a retried append is a no-op,
 * the writing transaction's id so readers never pass an in-flight transaction, and a hash chain
 * per stream so tampering is detectable. Events can only be inserted.
 */
export class EventStore1796000000000 implements MigrationInterface {
  readonly name = 'EventStore1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE streams (
        stream_id   text PRIMARY KEY,
        stream_type text NOT NULL,
        version     integer NOT NULL CHECK (version >= 0),
        last_hash   text NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE events (
        position       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id       text NOT NULL,
        stream_id      text NOT NULL REFERENCES streams (stream_id),
        version        integer NOT NULL CHECK (version >= 1),
        type           text NOT NULL,
        schema_version integer NOT NULL CHECK (schema_version >= 1),
        data           jsonb NOT NULL,
        metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
        occurred_at    timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now(),
        prev_hash      text NOT NULL,
        hash           text NOT NULL,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_event_id_unique UNIQUE (event_id),
        CONSTRAINT events_stream_version_unique UNIQUE (stream_id, version)
      )`);
    await q.query(`CREATE INDEX events_transaction_position ON events (transaction_id, position)`);
    await q.query(`
      CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % is refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
      FOR EACH ROW EXECUTE FUNCTION events_are_append_only()`);
    await q.query(`
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
      FOR EACH STATEMENT EXECUTE FUNCTION events_are_append_only()`);

    await q.query(`
      CREATE TABLE contracts (
        id                      uuid PRIMARY KEY,
        reference               text,
        status                  text NOT NULL,
        controller_name         text NOT NULL,
        controller_email        text NOT NULL,
        ordered_at              timestamptz NOT NULL,
        term_end                timestamptz,
        ended_at                timestamptz,
        destruction_status      text NOT NULL,
        destruction_deadline    timestamptz,
        version                 integer NOT NULL,
        state                   jsonb NOT NULL,
        updated_at              timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX contracts_status ON contracts (status, ordered_at, id)`);
    await q.query(`CREATE INDEX contracts_order ON contracts (ordered_at, id)`);
    await q.query(`CREATE INDEX contracts_controller_name ON contracts (lower(controller_name))`);
    await q.query(`CREATE INDEX contracts_controller_email ON contracts (lower(controller_email))`);
    await q.query(`CREATE INDEX contracts_term_end ON contracts (term_end) WHERE term_end IS NOT NULL`);
    await q.query(`CREATE INDEX contracts_destruction_deadline ON contracts (destruction_deadline) WHERE destruction_deadline IS NOT NULL`);

    await q.query(`
      CREATE TABLE deadlines (
        contract_id uuid NOT NULL,
        kind        text NOT NULL,
        due_at      timestamptz NOT NULL,
        PRIMARY KEY (contract_id, kind)
      )`);
    await q.query(`CREATE INDEX deadlines_due ON deadlines (due_at, kind)`);

    // Crypto-shredding (P3, P10, L7): a data key per contract, wrapped by a configured master key.
    // Deleting the wrapped key makes every secret sealed with it unrecoverable, wherever copies live.
    await q.query(`
      CREATE TABLE contract_keys (
        contract_id   uuid PRIMARY KEY,
        master_key_id text NOT NULL,
        wrapped_key   bytea,
        created_at    timestamptz NOT NULL DEFAULT now(),
        shredded_at   timestamptz,
        CHECK ((wrapped_key IS NULL) = (shredded_at IS NOT NULL))
      )`);
    await q.query(`
      CREATE TABLE credentials (
        credential_id uuid PRIMARY KEY,
        contract_id   uuid NOT NULL REFERENCES contract_keys (contract_id),
        kind          text NOT NULL,
        host          text NOT NULL,
        sealed        bytea NOT NULL,
        stored_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX credentials_contract ON credentials (contract_id)`);

    // Outbox: one row per message id, so a retried activity never sends the same email twice.
    await q.query(`
      CREATE TABLE outbox (
        message_id      text PRIMARY KEY,
        contract_id     uuid,
        kind            text NOT NULL,
        recipient       text NOT NULL,
        subject         text NOT NULL,
        body            text NOT NULL,
        attachments     jsonb NOT NULL DEFAULT '[]'::jsonb,
        status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent')),
        attempts        integer NOT NULL DEFAULT 0,
        last_error      text,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['outbox', 'credentials', 'contract_keys', 'deadlines', 'contracts', 'events', 'streams']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await q.query(`DROP FUNCTION IF EXISTS events_are_append_only()`);
  }
}
