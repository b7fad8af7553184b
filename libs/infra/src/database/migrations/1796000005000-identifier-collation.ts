import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Stream and event ids are identifiers, not words: they compare byte by byte (`COLLATE "C"`),
 * whatever locale the database was created with. Every append looks them up in three B-trees
 * (the stream head, its events' (stream, version) and event ids) and checks the events' foreign
 * key; under a linguistic locale (en_US.UTF-8, the default of the official Docker image) each
 * comparison goes through strcoll. Code-point order is also the order the store takes head
 * locks in, so index order and lock order now agree by construction.
 */
export class IdentifierCollation1796000005000 implements MigrationInterface {
  readonly name = 'IdentifierCollation1796000005000';

  async up(q: QueryRunner): Promise<void> {
    await setCollation(q, 'COLLATE "C"');
  }

  async down(q: QueryRunner): Promise<void> {
    await setCollation(q, 'COLLATE "default"');
  }
}

async function setCollation(q: QueryRunner, collation: string): Promise<void> {
  // The foreign key is dropped and added back around the change, so both sides change together.
  await q.query(`ALTER TABLE events DROP CONSTRAINT events_stream_id_fkey`);
  await q.query(`ALTER TABLE streams ALTER COLUMN stream_id TYPE text ${collation}`);
  await q.query(`ALTER TABLE events ALTER COLUMN stream_id TYPE text ${collation}, ALTER COLUMN event_id TYPE text ${collation}`);
  await q.query(`ALTER TABLE events ADD CONSTRAINT events_stream_id_fkey FOREIGN KEY (stream_id) REFERENCES streams (stream_id)`);
}
