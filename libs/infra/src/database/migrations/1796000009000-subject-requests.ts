import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §3.2: the read model of data-subject request files (one row per request, its whole state,
 * written in the append's own statement), and copies on outgoing mail (the controller's DPO).
 */
export class SubjectRequests1796000009000 implements MigrationInterface {
  readonly name = 'SubjectRequests1796000009000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subject_requests (
        id          uuid PRIMARY KEY,
        contract_id uuid NOT NULL,
        status      text NOT NULL,
        received_at timestamptz NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX subject_requests_contract ON subject_requests (contract_id, received_at, id)`);
    await q.query(`ALTER TABLE subject_requests ALTER COLUMN state SET STATISTICS 0`);
    await q.query(`ALTER TABLE outbox ADD COLUMN cc text[] NOT NULL DEFAULT '{}'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN cc`);
    await q.query(`DROP TABLE subject_requests`);
  }
}
