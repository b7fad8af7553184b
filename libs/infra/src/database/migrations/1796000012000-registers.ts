import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §3.4–§3.7: the read models of the processor's registers (one row per file, its whole state). */
export class Registers1796000012000 implements MigrationInterface {
  readonly name = 'Registers1796000012000';

  async up(q: QueryRunner): Promise<void> {
    // DPIA and prior-consultation assistance (P9): received_at is the controller's request.
    await q.query(`CREATE TABLE assistance_requests (LIKE instructions INCLUDING ALL)`);
    // Audits and inspections (C3, C4): received_at is the controller's request.
    await q.query(`CREATE TABLE audits (LIKE instructions INCLUDING ALL)`);
    // The roster (P3, P4): one row per person, processor-wide; their authorisations in the state, found by contract.
    await q.query(`
      CREATE TABLE staff (
        id          uuid PRIMARY KEY,
        received_at timestamptz NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX staff_listed ON staff (received_at, id)`);
    // The processor's DPO (P12): one row.
    await q.query(`CREATE TABLE processor_dpo (LIKE staff INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await q.query(`ALTER TABLE processor_dpo ADD PRIMARY KEY (id)`);
    await q.query(`CREATE INDEX staff_assignments ON staff USING gin ((state->'assignments') jsonb_path_ops)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE processor_dpo`);
    await q.query(`DROP TABLE staff`);
    await q.query(`DROP TABLE audits`);
    await q.query(`DROP TABLE assistance_requests`);
  }
}
