import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A controller's contracts by its normalised email and their status, in one index: each hand-over
 * and each destruction counts the controller's contracts in processing (its contact check is told,
 * contractsOfController), stopping at the second. With an index on the email alone beside the one on
 * the status, PostgreSQL read both in full and intersected them, so a controller's every hand-over
 * cost in proportion to its contracts. The email alone was indexed twice (the event store's
 * `contracts_controller_email`, the portal's `contracts_controller_email_lower`), each written at
 * every change of a contract's status: the new index, led by the email, serves their readers too.
 */
export class ControllerProcessingIndex1796000024000 implements MigrationInterface {
  readonly name = 'ControllerProcessingIndex1796000024000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX contracts_controller_email_status ON contracts (lower(controller_email), status)`);
    await q.query(`DROP INDEX contracts_controller_email_lower`);
    await q.query(`DROP INDEX contracts_controller_email`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX contracts_controller_email ON contracts (lower(controller_email))`);
    await q.query(`CREATE INDEX contracts_controller_email_lower ON contracts (lower(controller_email))`);
    await q.query(`DROP INDEX contracts_controller_email_status`);
  }
}
