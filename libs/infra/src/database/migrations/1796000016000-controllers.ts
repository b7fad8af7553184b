import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** DESIGN §8, §3.10: the controller record (one row per controller, by its identity) and its contact checks. */
export class Controllers1796000016000 implements MigrationInterface {
  readonly name = 'Controllers1796000016000';

  async up(q: QueryRunner): Promise<void> {
    // identity: `customer:<id>` or `email:<normalised email>`, the key a controller is found by.
    await q.query(`
      CREATE TABLE controllers (
        id          uuid PRIMARY KEY,
        identity    text NOT NULL UNIQUE,
        status      text NOT NULL,
        received_at timestamptz NOT NULL,
        version     integer NOT NULL,
        state       jsonb NOT NULL,
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX controllers_listed ON controllers (received_at, id)`);
    // One contact check per controller, found by the controller's identity too.
    await q.query(`CREATE TABLE contact_checks (LIKE controllers INCLUDING ALL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE contact_checks`);
    await q.query(`DROP TABLE controllers`);
  }
}
