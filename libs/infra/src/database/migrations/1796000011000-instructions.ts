import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §3.3: the read models of documented instructions and of transfer notices (one row per file, its whole state). */
export class Instructions1796000011000 implements MigrationInterface {
  readonly name = 'Instructions1796000011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE instructions (
        id          uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        status      text NOT NULL,
        received_at timestamptz NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX instructions_contract ON instructions (contract_id, received_at, id)`);
    await q.query(`ALTER TABLE instructions ALTER COLUMN state SET STATISTICS 0`);
    // Transfer notices (P2): received_at is when the notice was recorded.
    await q.query(`CREATE TABLE transfer_notices (LIKE instructions INCLUDING ALL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE transfer_notices`);
    await q.query(`DROP TABLE instructions`);
  }
}
