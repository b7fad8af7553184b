import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §3.4–§3.7: the read models of the processor's registers (one row per file, its whole state). */
export class Registers1796000012000 implements MigrationInterface {
  readonly name = 'Registers1796000012000';

  async up(q: QueryRunner): Promise<void> {
    // DPIA and prior-consultation assistance (P9): received_at is the controller's request.
    await q.query(`CREATE TABLE assistance_requests (LIKE instructions INCLUDING ALL)`);
    // Audits and inspections (C3, C4): received_at is the controller's request.
    await q.query(`CREATE TABLE audits (LIKE instructions INCLUDING ALL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audits`);
    await q.query(`DROP TABLE assistance_requests`);
  }
}
