import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * A controller known by its customer number finds its contracts by that number (contractsOfController):
 * at each hand-over and destruction (its contact check is told), in the portal, the UI's controller
 * page and the billing webhooks. Without an index each of those read every contract's document.
 */
export class ControllerCustomerIndex1796000023000 implements MigrationInterface {
  readonly name = 'ControllerCustomerIndex1796000023000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX contracts_controller_customer ON contracts ((state->'controller'->>'customerId')) WHERE state->'controller'->>'customerId' IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX contracts_controller_customer`);
  }
}
