import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Fewer index entries and smaller WAL records on every append (issue: core redesign, "keep each
 * piece only where a benchmark shows that it pays"; `npm run bench:store` measures it):
 * - `events_transaction_position` served no query since the global reader went: every event paid
 *   for an index entry nothing read. `transaction_id` itself stays, as the record of which
 *   transaction wrote each event.
 * - `events.event_id` is `<stream id>:<version>`, now a CHECK. Its uniqueness follows from the
 *   unique (stream_id, version) (the version is the digits after the last colon), so its own
 *   unique index was a second, larger copy of the same guarantee.
 * - `contracts_term_end` and `contracts_destruction_deadline` made every renewal of a contract a
 *   non-HOT update: a new entry in each of the table's indexes and a full row image in WAL. The
 *   inbox reads those instants from `deadlines`; the list's filters on them walk the
 *   `(ordered_at, id)` index the list is paged by. Free room in each page (fillfactor 50) lets the
 *   new version of a row land beside the old one, which is what makes an update HOT.
 */
export class LighterAppends1796000008000 implements MigrationInterface {
  readonly name = 'LighterAppends1796000008000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events_transaction_position`);
    await q.query(`ALTER TABLE events ADD CONSTRAINT events_event_id_is_stream_version CHECK (event_id = stream_id || ':' || version::text)`);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_event_id_unique`);
    await q.query(`DROP INDEX contracts_term_end`);
    await q.query(`DROP INDEX contracts_destruction_deadline`);
    await q.query(`ALTER TABLE contracts SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contracts RESET (fillfactor)`);
    await q.query(`CREATE INDEX contracts_destruction_deadline ON contracts (destruction_deadline) WHERE destruction_deadline IS NOT NULL`);
    await q.query(`CREATE INDEX contracts_term_end ON contracts (term_end) WHERE term_end IS NOT NULL`);
    await q.query(`ALTER TABLE events ADD CONSTRAINT events_event_id_unique UNIQUE (event_id)`);
    await q.query(`ALTER TABLE events DROP CONSTRAINT events_event_id_is_stream_version`);
    await q.query(`CREATE INDEX events_transaction_position ON events (transaction_id, position)`);
  }
}
