import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Less work on every append:
 * - `contracts_controller_name` served no query: the list filters names by substring
 *   (`LIKE '%…%'`), which a B-tree cannot answer, yet every new contract row paid for it.
 * - No query filters or sorts on the JSON payloads, so ANALYZE need not sample and sort them
 *   (sorting jsonb values was the most expensive part of autovacuum under a steady append load).
 */
export class AppendPath1796000003000 implements MigrationInterface {
  readonly name = 'AppendPath1796000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS contracts_controller_name`);
    await q.query(`ALTER TABLE events ALTER COLUMN data SET STATISTICS 0, ALTER COLUMN metadata SET STATISTICS 0`);
    await q.query(`ALTER TABLE contracts ALTER COLUMN state SET STATISTICS 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contracts ALTER COLUMN state SET STATISTICS -1`);
    await q.query(`ALTER TABLE events ALTER COLUMN data SET STATISTICS -1, ALTER COLUMN metadata SET STATISTICS -1`);
    await q.query(`CREATE INDEX IF NOT EXISTS contracts_controller_name ON contracts (lower(controller_name))`);
  }
}
