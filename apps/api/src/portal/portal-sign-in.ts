import { randomInt } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { type DataSource } from 'typeorm';
import nodemailer, { type Transporter } from 'nodemailer';
import { type AppConfig } from '#infra/config/config';
import { CONTROLLER_IDENTITY_SQL, contractsOfController, preferencesOf } from '#infra/controllers';
import { wordsFor } from '#infra/i18n';
import { csrfMatches, hash, SESSION_MAX_MS, token } from '../ui/sessions';

/*
 * DESIGN §8: a controller signs in to the portal with a link that works once and expires, emailed
 * to an address on record for it (its email or its DPO's on a contract, or the breach contact of
 * its record). Only the token's hash is kept. The email goes straight to SMTP: no outbox row, no
 * event, no workflow; a lost one is simply asked for again. Asking answers the same whether the
 * address is known or not, and is counted per address and per client in PostgreSQL, so that every
 * replica of the API counts alike.
 */


/** An address as it is compared: trimmed, lower case. */
export const normalisedAddress = (address: string) => address.trim().toLowerCase();
const ADDRESS = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$/;
export const isAddress = (address: string) => address.length <= 254 && ADDRESS.test(address);

/** A controller an address may sign in for: its key (controllerIdentity) and its name on its latest contract. */
export interface PortalController {
  readonly identity: string;
  readonly name: string;
}

export interface PortalSession {
  readonly idHash: string;
  readonly address: string;
  /** The controller the session covers, once chosen (null: the address serves several, none chosen yet). */
  readonly controller: string | null;
  readonly csrfToken: string;
  /** The sign-in (its row in portal_sign_ins) the session came through, once a controller is covered: what the controller's acts name. */
  readonly signInId: string | null;
  /** The covered controller's language and time zone, as its record says (null: none recorded). */
  readonly locale?: string | null;
  readonly timeZone?: string | null;
}

const WINDOW_MS = 3_600_000;

export type LinkAnswer = 'sent' | 'limited';
/** Counts one more in this hour's window of `bucket` (in PostgreSQL: every API replica counts alike); true while within `limit`. */
export async function withinRate(dataSource: DataSource, bucket: string, limit: number): Promise<boolean> {
  const [row] = (await dataSource.query(
    `INSERT INTO portal_rate (bucket, window_start, count) VALUES ($1, to_timestamp(floor(extract(epoch FROM now()) * 1000 / $2) * $2 / 1000), 1)
     ON CONFLICT (bucket, window_start) DO UPDATE SET count = portal_rate.count + 1 RETURNING count`,
    [bucket, WINDOW_MS],
  )) as { count: number }[];
  return row!.count <= limit;
}

export type TakenLink = { readonly ok: true; readonly address: string } | { readonly ok: false; readonly problem: 'used' | 'expired' | 'unknown' };

export class PortalSignIn {
  private readonly transport: Transporter;
  private readonly log = new Logger('portal');

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.transport = nodemailer.createTransport(config.mail.smtpUrl);
  }

  /** Every controller `address` is on record for, by name. */
  async controllersOf(address: string): Promise<PortalController[]> {
    const a = normalisedAddress(address);
    const onContracts = (await this.dataSource.query(
      `SELECT DISTINCT ON (identity) identity, name FROM (
         SELECT ${CONTROLLER_IDENTITY_SQL('c')} AS identity, c.controller_name AS name, c.ordered_at
           FROM contracts c WHERE lower(c.controller_email) = $1 OR lower(c.state->'controller'->>'dpoEmail') = $1) m
        ORDER BY identity, ordered_at DESC`,
      [a],
    )) as PortalController[];
    const asContact = (await this.dataSource.query(`SELECT identity FROM controllers WHERE lower(state->>'breachContact') = $1`, [a])) as { identity: string }[];
    const found = new Map(onContracts.map((c) => [c.identity, c]));
    for (const { identity } of asContact) {
      if (found.has(identity)) continue;
      const of = contractsOfController(identity, 1);
      const [latest] = (await this.dataSource.query(`SELECT c.controller_name AS name FROM contracts c WHERE ${of.where} ORDER BY c.ordered_at DESC LIMIT 1`, [of.value])) as { name: string }[];
      if (latest) found.set(identity, { identity, name: latest.name });
    }
    return [...found.values()].sort((x, y) => x.name.localeCompare(y.name) || x.identity.localeCompare(y.identity));
  }

  /**
   * A sign-in link for `address`, sent to it if it is on record for a controller. The answer comes
   * once the address and the client are counted, the same work whether or not the address is known:
   * whether it is on record is looked up after the answer has gone (a lookup that finds a contract
   * takes longer than one that finds none), at a random moment within a quarter second, so that its
   * work falls on no request in particular either. What fails then is logged; a lost email is simply
   * asked for again.
   */
  async requestLink(address: string, client: string): Promise<LinkAnswer> {
    const a = normalisedAddress(address);
    // The client first: a client past its limit counts against no address (it cannot lock one out
    // beyond its own allowance). Known and unknown addresses are counted alike.
    if (!(await withinRate(this.dataSource, `client:${hash(client)}`, this.config.portal.limitPerClient))) return 'limited';
    if (!(await withinRate(this.dataSource, `address:${hash(a)}`, this.config.portal.limitPerAddress))) return 'limited';
    setTimeout(() => void this.issueLink(a), randomInt(20, 250));
    return 'sent';
  }

  /** The link for an address on record, kept as its hash and emailed in the language of the controller it is on record for (the first by name, when several). */
  private async issueLink(a: string): Promise<void> {
    try {
      await this.sweep();
      const controllers = await this.controllersOf(a);
      if (controllers.length === 0) return;
      const secret = token();
      await this.dataSource.query(`INSERT INTO portal_links (token_hash, address, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))`, [hash(secret), a, this.config.portal.linkTtlMs]);
      const vars = { processor: this.config.processor.name, minutes: Math.round(this.config.portal.linkTtlMs / 60_000), link: `${this.config.links.baseUrl}/portal/sign-in?t=${secret}` };
      const w = wordsFor(await preferencesOf(this.dataSource, { identity: controllers[0]!.identity }));
      await this.transport.sendMail({ from: this.config.mail.from, to: a, subject: w.t('signIn.subject', vars), text: w.t('signIn.body', vars) });
    } catch (e) {
      this.log.warn(`a sign-in link was not sent (${(e as { code?: string }).code ?? (e as Error)?.name ?? 'error'}); the controller may ask again`);
    }
  }

  private sweptAt = 0;

  /** Old counters and long-dead links go, at most once a minute per API process. */
  private async sweep(): Promise<void> {
    if (Date.now() - this.sweptAt < 60_000) return;
    this.sweptAt = Date.now();
    await this.dataSource.query(`DELETE FROM portal_rate WHERE window_start < now() - interval '2 hours'`);
    await this.dataSource.query(`DELETE FROM portal_links WHERE expires_at < now() - interval '1 day'`);
  }

  /** What a link would do, without using it (opening a link changes nothing). */
  async peek(secret: string): Promise<TakenLink> {
    const [row] = (await this.dataSource.query(`SELECT address, used_at, expires_at < now() AS expired FROM portal_links WHERE token_hash = $1`, [hash(secret)])) as { address: string; used_at: Date | null; expired: boolean }[];
    if (!row || row.address === '') return { ok: false, problem: 'unknown' };
    if (row.used_at) return { ok: false, problem: 'used' };
    if (row.expired) return { ok: false, problem: 'expired' };
    return { ok: true, address: row.address };
  }

  /** Uses a link, once: its address, or why not. */
  async take(secret: string): Promise<TakenLink> {
    const [row] = (await this.dataSource.query(
      `WITH taken AS (UPDATE portal_links SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() AND address <> '' RETURNING address) SELECT * FROM taken`,
      [hash(secret)],
    )) as { address: string }[];
    return row ? { ok: true, address: row.address } : this.peek(secret);
  }

  /** A session for `address`, covering `controller` when there is just one to cover. */
  async open(address: string, controller: string | null): Promise<{ cookie: string; session: PortalSession }> {
    const cookie = token();
    const signInId = controller ? await this.recordSignIn(controller, address) : null;
    const session: PortalSession = { idHash: hash(cookie), address, controller, csrfToken: token(), signInId };
    await this.dataSource.query(`INSERT INTO portal_sessions (id_hash, address, controller, csrf_token, sign_in_id) VALUES ($1, $2, $3, $4, $5)`, [session.idHash, address, controller, session.csrfToken, signInId]);
    return { cookie, session };
  }

  private async recordSignIn(controller: string, address: string): Promise<string> {
    const [row] = (await this.dataSource.query(`INSERT INTO portal_sign_ins (controller, address, method) VALUES ($1, $2, 'email-link') RETURNING id::text AS id`, [controller, address])) as { id: string }[];
    return row!.id;
  }

  /** The live session a cookie names, its idle clock restarted; null once idle or too old (and then ended). */
  async touch(cookie: string | undefined): Promise<PortalSession | null> {
    if (!cookie) return null;
    const idHash = hash(cookie);
    const [row] = (await this.dataSource.query(
      `WITH live AS (
         UPDATE portal_sessions SET last_seen_at = now()
          WHERE id_hash = $1 AND last_seen_at > now() - make_interval(secs => $2::double precision / 1000) AND created_at > now() - make_interval(secs => $3::double precision / 1000)
          RETURNING address, controller, csrf_token, sign_in_id::text AS sign_in_id)
       SELECT live.*, r.state->>'locale' AS locale, r.state->>'timeZone' AS time_zone FROM live LEFT JOIN controllers r ON r.identity = live.controller`,
      [idHash, this.config.ui.sessionIdleMs, SESSION_MAX_MS],
    )) as { address: string; controller: string | null; csrf_token: string; sign_in_id: string | null; locale: string | null; time_zone: string | null }[];
    if (!row) {
      await this.dataSource.query(`DELETE FROM portal_sessions WHERE id_hash = $1 OR last_seen_at < now() - make_interval(secs => $2::double precision / 1000)`, [idHash, this.config.ui.sessionIdleMs]);
      return null;
    }
    return { idHash, address: row.address, controller: row.controller, csrfToken: row.csrf_token, signInId: row.sign_in_id, locale: row.locale, timeZone: row.time_zone };
  }

  /** The session covers `identity` from now on, if its address is on record for it; false otherwise. */
  async choose(session: PortalSession, identity: string): Promise<boolean> {
    if (session.controller !== null || !(await this.controllersOf(session.address)).some((c) => c.identity === identity)) return false;
    const chosen = (await this.dataSource.query(`WITH chosen AS (UPDATE portal_sessions SET controller = $2 WHERE id_hash = $1 AND controller IS NULL RETURNING 1) SELECT * FROM chosen`, [session.idHash, identity])) as unknown[];
    // Two choices posted at once: the one that did not take records nothing.
    if (chosen.length === 0) return false;
    const signInId = await this.recordSignIn(identity, session.address);
    await this.dataSource.query(`UPDATE portal_sessions SET sign_in_id = $2 WHERE id_hash = $1`, [session.idHash, signInId]);
    return true;
  }

  async end(session: PortalSession): Promise<void> {
    await this.dataSource.query(`DELETE FROM portal_sessions WHERE id_hash = $1`, [session.idHash]);
  }

  /** The sign-ins that `keyIds` name (`portal:<id>`, as a controller's acts record them): who signed in, when, and how. */
  static async named(dataSource: DataSource, keyIds: readonly string[]): Promise<Map<string, { address: string; method: string; at: Date }>> {
    const ids = [...new Set(keyIds.flatMap((k) => (/^portal:\d{1,18}$/.test(k) ? [k.slice(7)] : [])))];
    if (ids.length === 0) return new Map();
    const rows = (await dataSource.query(`SELECT id::text AS id, address, method, at FROM portal_sign_ins WHERE id = ANY($1::bigint[])`, [ids])) as { id: string; address: string; method: string; at: Date }[];
    return new Map(rows.map((r) => [`portal:${r.id}`, r]));
  }

  /** The controller's own sign-ins, the latest first. */
  async signIns(identity: string, limit = 50): Promise<{ address: string; method: string; at: Date }[]> {
    return (await this.dataSource.query(`SELECT address, method, at FROM portal_sign_ins WHERE controller = $1 ORDER BY at DESC, id DESC LIMIT $2`, [identity, limit])) as { address: string; method: string; at: Date }[];
  }

  static csrfValid(session: PortalSession, given: unknown): boolean {
    return csrfMatches(session.csrfToken, given);
  }
}
