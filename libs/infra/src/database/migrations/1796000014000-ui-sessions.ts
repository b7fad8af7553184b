import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §7: the browser UI's sessions, in PostgreSQL so that any API replica serves them, and its
 * sign-ins in flight (the PKCE verifier, kept server-side). Only hashes of the cookie values are stored.
 */
export class UiSessions1796000014000 implements MigrationInterface {
  readonly name = 'UiSessions1796000014000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ui_sessions (
        id_hash      text PRIMARY KEY,
        subject_hash text NOT NULL,
        role         text NOT NULL,
        csrf_token   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ui_sessions_last_seen ON ui_sessions (last_seen_at)`);
    await q.query(`
      CREATE TABLE ui_logins (
        state_hash    text PRIMARY KEY,
        code_verifier text NOT NULL,
        nonce         text NOT NULL,
        return_to     text NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ui_logins`);
    await q.query(`DROP TABLE ui_sessions`);
  }
}
