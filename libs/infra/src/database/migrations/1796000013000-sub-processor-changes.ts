import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §3.8: sub-processor changes (processor-wide) and each affected contract's notice of one. */
export class SubProcessorChanges1796000013000 implements MigrationInterface {
  readonly name = 'SubProcessorChanges1796000013000';

  async up(q: QueryRunner): Promise<void> {
    // received_at is the announcement; location_id the location the change adds (one change per new location).
    await q.query(`
      CREATE TABLE sub_processor_changes (
        id          uuid PRIMARY KEY,
        received_at timestamptz NOT NULL,
        location_id text NOT NULL UNIQUE,
        status      text NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sub_processor_changes_listed ON sub_processor_changes (received_at, id)`);
    // received_at is when the notice was opened.
    await q.query(`CREATE TABLE sub_processor_notices (LIKE instructions INCLUDING ALL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sub_processor_notices`);
    await q.query(`DROP TABLE sub_processor_changes`);
  }
}
