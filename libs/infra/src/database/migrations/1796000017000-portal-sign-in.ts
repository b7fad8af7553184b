import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * DESIGN §8: the controllers' sign-in to the portal. Mutable tables, never events: a link's token
 * is kept as its hash only, for as long as it may be used; the rate counters are per address and per
 * client, by the hour; a portal session covers one controller once chosen; each sign-in is kept for
 * the controller's own history.
 */
export class PortalSignIn1796000017000 implements MigrationInterface {
  readonly name = 'PortalSignIn1796000017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE portal_links (
        token_hash text PRIMARY KEY,
        address    text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at    timestamptz
      )`);
    await q.query(`CREATE INDEX portal_links_expiry ON portal_links (expires_at)`);
    await q.query(`
      CREATE TABLE portal_rate (
        bucket       text NOT NULL,
        window_start timestamptz NOT NULL,
        count        integer NOT NULL,
        PRIMARY KEY (bucket, window_start)
      )`);
    await q.query(`
      CREATE TABLE portal_sessions (
        id_hash      text PRIMARY KEY,
        address      text NOT NULL,
        controller   text,
        csrf_token   text NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE portal_sign_ins (
        id         bigserial PRIMARY KEY,
        controller text NOT NULL,
        address    text NOT NULL,
        method     text NOT NULL,
        at         timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX portal_sign_ins_controller ON portal_sign_ins (controller, at DESC)`);
    // An address on record is found by its normalised form: a controller's email and DPO email on its contracts.
    await q.query(`CREATE INDEX contracts_controller_email_lower ON contracts (lower(controller_email))`);
    await q.query(`CREATE INDEX contracts_controller_dpo_email_lower ON contracts (lower(state->'controller'->>'dpoEmail'))`);
    await q.query(`CREATE INDEX controllers_breach_contact_lower ON controllers (lower(state->>'breachContact'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX controllers_breach_contact_lower`);
    await q.query(`DROP INDEX contracts_controller_dpo_email_lower`);
    await q.query(`DROP INDEX contracts_controller_email_lower`);
    await q.query(`DROP TABLE portal_sign_ins`);
    await q.query(`DROP TABLE portal_sessions`);
    await q.query(`DROP TABLE portal_rate`);
    await q.query(`DROP TABLE portal_links`);
  }
}
