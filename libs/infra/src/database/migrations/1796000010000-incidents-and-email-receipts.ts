import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §3.1: the read models of incidents and breach notices, the set of contracts each incident
 * touched (with its notice's id), and what the outbox keeps as proof of each email: the exact
 * message and its sha256, the instant the SMTP server accepted it, the workflow it reports to.
 */
export class IncidentsAndEmailReceipts1796000010000 implements MigrationInterface {
  readonly name = 'IncidentsAndEmailReceipts1796000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incidents (
        id          uuid PRIMARY KEY,
        status      text NOT NULL,
        detected_at timestamptz NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX incidents_detected ON incidents (detected_at DESC, id)`);
    await q.query(`
      CREATE TABLE incident_contracts (
        incident_id uuid NOT NULL,
        contract_id uuid NOT NULL,
        notice_id   uuid NOT NULL UNIQUE,
        PRIMARY KEY (incident_id, contract_id)
      )`);
    await q.query(`
      CREATE TABLE breach_notices (
        id          uuid PRIMARY KEY,
        incident_id uuid NOT NULL,
        contract_id uuid NOT NULL,
        status      text NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX breach_notices_contract ON breach_notices (contract_id, id)`);
    await q.query(`CREATE INDEX breach_notices_incident ON breach_notices (incident_id, status)`);
    for (const table of ['incidents', 'breach_notices']) await q.query(`ALTER TABLE ${table} ALTER COLUMN state SET STATISTICS 0`);

    await q.query(
      `ALTER TABLE outbox ADD COLUMN raw bytea, ADD COLUMN sha256 text, ADD COLUMN owner_workflow_id text, ADD COLUMN accepted_at timestamptz,
         ADD COLUMN failed_at timestamptz, ADD COLUMN smtp_code integer, ADD COLUMN reported_at timestamptz, ADD COLUMN report_lease_until timestamptz`,
    );
    // A message the relay refused for good (5xx) is `failed`: never retried, reported to its file.
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed'))`);
    await q.query(`CREATE INDEX outbox_unreported ON outbox (coalesce(accepted_at, failed_at)) WHERE status IN ('sent', 'failed') AND reported_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_unreported`);
    await q.query(`DELETE FROM outbox WHERE status = 'failed'`);
    await q.query(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check`);
    await q.query(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent'))`);
    await q.query(
      `ALTER TABLE outbox DROP COLUMN raw, DROP COLUMN sha256, DROP COLUMN owner_workflow_id, DROP COLUMN accepted_at, DROP COLUMN failed_at, DROP COLUMN smtp_code, DROP COLUMN reported_at, DROP COLUMN report_lease_until`,
    );
    await q.query(`DROP TABLE breach_notices`);
    await q.query(`DROP TABLE incident_contracts`);
    await q.query(`DROP TABLE incidents`);
  }
}
