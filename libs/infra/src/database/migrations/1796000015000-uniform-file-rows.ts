import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Every file type's read-model row has the same shape (the registry derives it): id, its parent
 * contract's id when it has one, status, the instant it is listed by, version, state. The roster
 * and the processor's DPO gain their status; breach notices the instant they were opened.
 */
export class UniformFileRows1796000015000 implements MigrationInterface {
  readonly name = 'UniformFileRows1796000015000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['staff', 'processor_dpo']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN status text`);
      await q.query(`UPDATE ${table} SET status = state->>'status'`);
      await q.query(`ALTER TABLE ${table} ALTER COLUMN status SET NOT NULL`);
    }
    await q.query(`ALTER TABLE breach_notices ADD COLUMN received_at timestamptz`);
    await q.query(`UPDATE breach_notices SET received_at = (state->>'openedAt')::timestamptz`);
    await q.query(`ALTER TABLE breach_notices ALTER COLUMN received_at SET NOT NULL`);
    await q.query(`CREATE INDEX breach_notices_listed ON breach_notices (contract_id, received_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX breach_notices_listed`);
    await q.query(`ALTER TABLE breach_notices DROP COLUMN received_at`);
    for (const table of ['staff', 'processor_dpo']) await q.query(`ALTER TABLE ${table} DROP COLUMN status`);
  }
}
