import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { type DataSource } from 'typeorm';
import { toSubProcessorChangeView, type SubProcessorChangeState, type SubProcessorChangeView } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { csrfMatches, hash, token } from '../ui/sessions';
import { normalisedAddress, withinRate } from './portal-sign-in';

/*
 * DESIGN §8: the announcements of sub-processor changes, to anyone who subscribed an address. A
 * subscription is confirmed by a double opt-in (a link whose page has one button; only its token's
 * hash is kept); unconfirmed, it is deleted after 48 hours. Every announcement carries RFC 8058
 * one-click unsubscribe, which deletes the address at once. Addresses are in this mutable table
 * only: no event, no workflow, no outbox row names one.
 */

/** An unconfirmed subscription lives this long. */
export const UNCONFIRMED_MS = 48 * 3_600_000;
/**
 * How often each API process looks for announcements owed, and how long it holds one it is about to
 * send: longer than a send may take (nodemailer gives up connecting after 2 minutes, a silent socket
 * after 10), renewed right before each send and fenced by its instant, so that two processes never
 * send the same one while both hold it.
 */
const TICK_MS = 2_000;
const LEASE = '15 minutes';
const BATCH = 10;

type Answer = 'sent' | 'limited';

export class Subscriptions {
  private readonly transport: Transporter;
  private readonly log = new Logger('subscriptions');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {
    this.transport = nodemailer.createTransport(config.mail.smtpUrl);
  }

  /**
   * Whether `given` is the subscriber's own unsubscribe token (random, its own, kept with it: so that
   * an old email's link keeps working whatever keys rotate meanwhile): the subscription is still there.
   */
  async subscribed(id: string, given: string): Promise<boolean> {
    const [row] = (await this.dataSource.query(`SELECT unsubscribe_token FROM sub_processor_subscribers WHERE id = $1`, [id])) as { unsubscribe_token: string }[];
    return !!row && csrfMatches(row.unsubscribe_token, given);
  }

  private unsubscribeUrl(id: string, unsubscribeToken: string): string {
    return `${this.config.links.baseUrl}/portal/sub-processors/unsubscribe?s=${id}&t=${unsubscribeToken}`;
  }

  /**
   * Subscribes `address`, unconfirmed, and emails it the opt-in link. The same answer whether it was
   * subscribed already or not; one already confirmed is sent nothing.
   */
  async subscribe(address: string, client: string): Promise<Answer> {
    const a = normalisedAddress(address);
    if (!(await withinRate(this.dataSource, `subscribe-client:${hash(client)}`, this.config.portal.limitPerClient))) return 'limited';
    if (!(await withinRate(this.dataSource, `subscribe-address:${hash(a)}`, this.config.portal.limitPerAddress))) return 'limited';
    const secret = token();
    const [row] = (await this.dataSource.query(
      `WITH s AS (
         INSERT INTO sub_processor_subscribers (id, address, confirm_hash, unsubscribe_token) VALUES ($1, $2, $3, $4)
         ON CONFLICT (address) DO UPDATE SET confirm_hash = EXCLUDED.confirm_hash WHERE sub_processor_subscribers.confirmed_at IS NULL
         RETURNING id)
       SELECT * FROM s`,
      // Asked again, unconfirmed: a new link (the older one no longer confirms), and the 48 hours still counted from the first asking.
      [randomUUID(), a, hash(secret), token()],
    )) as { id: string }[];
    if (row) {
      const link = `${this.config.links.baseUrl}/portal/sub-processors/confirm?t=${secret}`;
      void this.transport
        .sendMail({
          from: this.config.mail.from,
          to: a,
          subject: `Confirm your subscription to ${this.config.processor.name}'s sub-processor changes`,
          text: `Someone, we hope you, asked that this address be told of every change to the sub-processors ${this.config.processor.name} engages.\n\nOpen this link and press its button to confirm. Unconfirmed, the address is deleted within 48 hours:\n${link}\n\nIf you did not ask, ignore this email.\n`,
        })
        .catch((e: unknown) => this.log.warn(`a subscription email was not accepted by the mail server (${(e as { code?: string }).code ?? 'error'})`));
    }
    return 'sent';
  }

  /** The unconfirmed subscription an opt-in token names, without confirming it (opening a link changes nothing). */
  async pending(secret: string): Promise<string | null> {
    const [row] = (await this.dataSource.query(`SELECT address FROM sub_processor_subscribers WHERE confirm_hash = $1 AND confirmed_at IS NULL AND created_at > now() - make_interval(secs => $2::double precision / 1000)`, [
      hash(secret),
      UNCONFIRMED_MS,
    ])) as { address: string }[];
    return row?.address ?? null;
  }

  /** Confirms the subscription an opt-in token names; false when there is none (used, expired, forged). */
  async confirm(secret: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `WITH c AS (UPDATE sub_processor_subscribers SET confirmed_at = now(), confirm_hash = NULL WHERE confirm_hash = $1 AND confirmed_at IS NULL AND created_at > now() - make_interval(secs => $2::double precision / 1000) RETURNING 1) SELECT * FROM c`,
      [hash(secret), UNCONFIRMED_MS],
    )) as unknown[];
    return rows.length === 1;
  }

  /** Deletes the subscriber at once (its announcements' rows with it); false when the link names no subscription. */
  async unsubscribe(id: string, given: string): Promise<boolean> {
    if (!(await this.subscribed(id, given))) return false;
    await this.dataSource.query(`DELETE FROM sub_processor_subscribers WHERE id = $1`, [id]);
    return true;
  }

  /** The changes not in force yet, the soonest first: what the public page lists as pending. */
  async pendingChanges(): Promise<SubProcessorChangeView[]> {
    const rows = (await this.dataSource.query(`SELECT state FROM sub_processor_changes WHERE status = 'notified' ORDER BY received_at, id`)) as { state: SubProcessorChangeState }[];
    return rows.map((r) => toSubProcessorChangeView(r.state)).sort((x, y) => x.effectiveAt.localeCompare(y.effectiveAt));
  }

  /** Starts looking for announcements owed, every few seconds, until `stop`. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: unknown) => this.log.warn(`announcements: ${(e as Error)?.name ?? 'error'}`))
        .finally(() => (this.running = null));
    }, TICK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One round: unconfirmed subscriptions past 48 hours go; each change told to the clients
   * (`notified`: its controllers' notices are out first) after a subscriber confirmed is owed to it
   * once; the owed ones are claimed a few at a time, and each is held again right before it is sent
   * and marked sent only by the holder whose hold is still the row's (a fence): a send that outlasted
   * its hold cannot be marked by two. One the relay refuses for good (5xx) is marked failed.
   */
  async tick(): Promise<number> {
    await this.dataSource.query(`DELETE FROM sub_processor_subscribers WHERE confirmed_at IS NULL AND created_at < now() - make_interval(secs => $1::double precision / 1000)`, [UNCONFIRMED_MS]);
    await this.dataSource.query(
      `INSERT INTO sub_processor_announcements (change_id, subscriber_id)
       SELECT c.id, s.id FROM sub_processor_changes c JOIN sub_processor_subscribers s ON s.confirmed_at IS NOT NULL AND s.confirmed_at <= c.received_at
        WHERE c.status = 'notified'
       ON CONFLICT DO NOTHING`,
    );
    const due = (await this.dataSource.query(
      `SELECT change_id::text AS change_id, subscriber_id::text AS subscriber_id FROM sub_processor_announcements
        WHERE sent_at IS NULL AND failed_at IS NULL AND (leased_until IS NULL OR leased_until < now()) ORDER BY change_id, subscriber_id LIMIT ${BATCH}`,
    )) as { change_id: string; subscriber_id: string }[];
    let sent = 0;
    for (const d of due) {
      // Held now, by this process alone: the row is taken only while nobody holds it.
      const [held] = (await this.dataSource.query(
        `WITH held AS (
           UPDATE sub_processor_announcements a SET leased_until = now() + interval '${LEASE}'
            WHERE a.change_id = $1 AND a.subscriber_id = $2 AND a.sent_at IS NULL AND a.failed_at IS NULL AND (a.leased_until IS NULL OR a.leased_until < now())
            RETURNING a.leased_until)
         SELECT held.leased_until::text AS fence, s.address, s.unsubscribe_token, c.state FROM held, sub_processor_subscribers s, sub_processor_changes c WHERE s.id = $2 AND c.id = $1`,
        [d.change_id, d.subscriber_id],
      )) as { fence: string; address: string; unsubscribe_token: string; state: SubProcessorChangeState }[];
      if (!held) continue;
      // The hold's instant as PostgreSQL wrote it, to the microsecond (a JavaScript Date keeps milliseconds, and would match nothing).
      const fence = [d.change_id, d.subscriber_id, held.fence];
      const change = toSubProcessorChangeView(held.state);
      const unsubscribe = this.unsubscribeUrl(d.subscriber_id, held.unsubscribe_token);
      try {
        await this.transport.sendMail({
          from: this.config.mail.from,
          to: held.address,
          subject: `${this.config.processor.name}: a change of sub-processor, in force from ${change.effectiveAt.slice(0, 10)}`,
          messageId: `<sub-processor-${d.change_id}-${d.subscriber_id}@${new URL(this.config.links.baseUrl).hostname}>`,
          // RFC 8058: one click in the mail client unsubscribes, with no page to go through.
          list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
          text: `${this.config.processor.name} announces a change of the sub-processors that hold its clients' data (GDPR 28(2)):\n\n${announcement(change)}\n\nThe register and every pending change: ${this.config.links.baseUrl}/portal/sub-processors\n\nTo stop these emails: ${unsubscribe}\n`,
        });
        await this.dataSource.query(`UPDATE sub_processor_announcements SET sent_at = now() WHERE change_id = $1 AND subscriber_id = $2 AND leased_until = $3::timestamptz`, fence);
        sent++;
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode;
        if (code !== undefined && code >= 500 && code < 600) {
          await this.dataSource.query(`UPDATE sub_processor_announcements SET failed_at = now() WHERE change_id = $1 AND subscriber_id = $2 AND leased_until = $3::timestamptz`, fence);
          this.log.warn(`an announcement was refused for good by the mail server (${code}); it is not tried again`);
        } else {
          // Left held: tried again once the hold runs out.
          this.log.warn(`an announcement was not accepted by the mail server (${(e as { code?: string }).code ?? 'error'}); it is tried again later`);
        }
      }
    }
    return sent;
  }
}

/** A change as the public page and the announcement word it. */
export function announcement(c: SubProcessorChangeView): string {
  const what = c.kind === 'addition' ? 'A new sub-processor' : `A sub-processor replacing ${c.replaces ?? 'another'}`;
  return `${what}: ${c.subProcessor.name} (${c.subProcessor.role}, ${c.subProcessor.country}), at ${c.location.name}, ${c.location.site}. Announced ${c.announcedAt.slice(0, 10)}; in force from ${c.effectiveAt.slice(0, 16).replace('T', ' ')} UTC. Our clients may object until ${c.objectionDeadline.slice(0, 16).replace('T', ' ')} UTC.`;
}
