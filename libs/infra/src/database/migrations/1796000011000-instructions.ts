import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §3.3: the read model of documented instructions (one row per instruction, its whole state). */
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE instructions`);
  }
}
