import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §9: a fact keeps the contract's reference and the controller's customer number as they
 * were when it was recorded, so that every try of its delivery carries the same body.
 */
export class WebhookFactContract1796000022000 implements MigrationInterface {
  readonly name = 'WebhookFactContract1796000022000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_facts ADD COLUMN reference text, ADD COLUMN customer_id text`);
    await q.query(`UPDATE webhook_facts f SET reference = c.reference, customer_id = c.state->'controller'->>'customerId' FROM contracts c WHERE c.id = f.contract_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_facts DROP COLUMN reference, DROP COLUMN customer_id`);
  }
}
