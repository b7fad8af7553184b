import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §8: a controller's act in its portal is recorded as its own, naming the sign-in it came
 * through (who, when, how). A session keeps the id of its sign-in row; one from before keeps none
 * and must sign in again to act.
 */
export class PortalActs1796000018000 implements MigrationInterface {
  readonly name = 'PortalActs1796000018000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portal_sessions ADD COLUMN sign_in_id bigint`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE portal_sessions DROP COLUMN sign_in_id`);
  }
}
