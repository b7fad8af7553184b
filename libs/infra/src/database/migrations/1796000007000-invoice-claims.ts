import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An invoice belongs to one contract (issue: sane renewals): the first contract an invoice id is
 * sent for claims it, and the claim is what later acceptances for any other contract are refused
 * against. Existing accepted renewals claim their invoices here.
 */
export class InvoiceClaims1796000007000 implements MigrationInterface {
  readonly name = 'InvoiceClaims1796000007000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE invoice_claims (
        invoice_id  text COLLATE "C" PRIMARY KEY,
        contract_id uuid NOT NULL,
        claimed_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `INSERT INTO invoice_claims (invoice_id, contract_id)
       SELECT DISTINCT ON (invoice_id) invoice_id, contract_id FROM contract_renewals WHERE outcome = 'accepted' ORDER BY invoice_id, contract_id
       ON CONFLICT DO NOTHING`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE invoice_claims`);
  }
}
