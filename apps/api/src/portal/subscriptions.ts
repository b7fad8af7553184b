import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Logger } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { type DataSource } from 'typeorm';
import { toSubProcessorChangeView, type SubProcessorChangeState, type SubProcessorChangeView } from '#domain';
import { type AppConfig } from '#infra/config/config';
import { hash, token } from '../ui/sessions';
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
/** How often each API process looks for announcements owed, and how long one claims a send. */
const TICK_MS = 2_000;
const LEASE = '2 minutes';

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

  /** The token of a subscriber's unsubscribe link: a MAC of its id by the active link key (any key of the ring verifies it). */
  unsubscribeToken(id: string): string {
    const keys = this.config.links.keys;
    return `${keys.activeId}.${createHmac('sha256', keys.keys.get(keys.activeId)!).update(`unsubscribe\n${id}`).digest('base64url')}`;
  }

  private unsubscribeValid(id: string, given: string): boolean {
    const [kid, mac] = given.split('.');
    const key = kid ? this.config.links.keys.keys.get(kid) : undefined;
    if (!key || !mac) return false;
    const expected = createHmac('sha256', key).update(`unsubscribe\n${id}`).digest();
    const got = Buffer.from(mac, 'base64url');
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  unsubscribeUrl(id: string): string {
    return `${this.config.links.baseUrl}/portal/sub-processors/unsubscribe?s=${id}&t=${this.unsubscribeToken(id)}`;
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
         INSERT INTO sub_processor_subscribers (id, address, confirm_hash) VALUES ($1, $2, $3)
         ON CONFLICT (address) DO UPDATE SET confirm_hash = EXCLUDED.confirm_hash, created_at = now() WHERE sub_processor_subscribers.confirmed_at IS NULL
         RETURNING id)
       SELECT * FROM s`,
      [randomUUID(), a, hash(secret)],
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

  /** Whether an unsubscribe link is genuine and its subscriber still there. */
  async subscribed(id: string, given: string): Promise<boolean> {
    if (!this.unsubscribeValid(id, given)) return false;
    return ((await this.dataSource.query(`SELECT 1 FROM sub_processor_subscribers WHERE id = $1`, [id])) as unknown[]).length === 1;
  }

  /** Deletes the subscriber at once (its announcements' rows with it); false when the link is not genuine. */
  async unsubscribe(id: string, given: string): Promise<boolean> {
    if (!this.unsubscribeValid(id, given)) return false;
    await this.dataSource.query(`DELETE FROM sub_processor_subscribers WHERE id = $1`, [id]);
    return true;
  }

  /** The changes not in force yet, the soonest first: what the public page lists as pending. */
  async pendingChanges(): Promise<SubProcessorChangeView[]> {
    const rows = (await this.dataSource.query(`SELECT state FROM sub_processor_changes WHERE status <> 'effective' ORDER BY received_at, id`)) as { state: SubProcessorChangeState }[];
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
   * One round: unconfirmed subscriptions past 48 hours go; each change announced after a
   * subscriber confirmed is owed to it once; the owed ones are claimed (one replica each, for a
   * while) and sent, each marked sent once the relay accepted it.
   */
  async tick(): Promise<number> {
    await this.dataSource.query(`DELETE FROM sub_processor_subscribers WHERE confirmed_at IS NULL AND created_at < now() - make_interval(secs => $1::double precision / 1000)`, [UNCONFIRMED_MS]);
    await this.dataSource.query(
      `INSERT INTO sub_processor_announcements (change_id, subscriber_id)
       SELECT c.id, s.id FROM sub_processor_changes c JOIN sub_processor_subscribers s ON s.confirmed_at IS NOT NULL AND s.confirmed_at <= c.received_at
        WHERE c.status <> 'effective'
       ON CONFLICT DO NOTHING`,
    );
    const claimed = (await this.dataSource.query(
      `WITH due AS (
         SELECT change_id, subscriber_id FROM sub_processor_announcements WHERE sent_at IS NULL AND (leased_until IS NULL OR leased_until < now()) ORDER BY change_id, subscriber_id LIMIT 50 FOR UPDATE SKIP LOCKED),
       leased AS (
         UPDATE sub_processor_announcements a SET leased_until = now() + interval '${LEASE}' FROM due WHERE a.change_id = due.change_id AND a.subscriber_id = due.subscriber_id RETURNING a.change_id, a.subscriber_id)
       SELECT l.change_id::text AS change_id, l.subscriber_id::text AS subscriber_id, s.address, c.state
         FROM leased l JOIN sub_processor_subscribers s ON s.id = l.subscriber_id JOIN sub_processor_changes c ON c.id = l.change_id`,
    )) as { change_id: string; subscriber_id: string; address: string; state: SubProcessorChangeState }[];
    for (const a of claimed) {
      const change = toSubProcessorChangeView(a.state);
      const unsubscribe = this.unsubscribeUrl(a.subscriber_id);
      try {
        await this.transport.sendMail({
          from: this.config.mail.from,
          to: a.address,
          subject: `${this.config.processor.name}: a change of sub-processor, in force from ${change.effectiveAt.slice(0, 10)}`,
          messageId: `<sub-processor-${a.change_id}-${a.subscriber_id}@${new URL(this.config.links.baseUrl).hostname}>`,
          // RFC 8058: one click in the mail client unsubscribes, with no page to go through.
          list: { unsubscribe: { url: unsubscribe, comment: 'Unsubscribe' } },
          headers: { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
          text: `${this.config.processor.name} announces a change of the sub-processors that hold its clients' data (GDPR 28(2)):\n\n${announcement(change)}\n\nThe register and every pending change: ${this.config.links.baseUrl}/portal/sub-processors\n\nTo stop these emails: ${unsubscribe}\n`,
        });
        await this.dataSource.query(`UPDATE sub_processor_announcements SET sent_at = now() WHERE change_id = $1 AND subscriber_id = $2`, [a.change_id, a.subscriber_id]);
      } catch (e) {
        // Left leased: tried again once the lease runs out.
        this.log.warn(`an announcement was not accepted by the mail server (${(e as { code?: string }).code ?? 'error'}); it is tried again later`);
      }
    }
    return claimed.length;
  }
}

/** A change as the public page and the announcement word it. */
export function announcement(c: SubProcessorChangeView): string {
  const what = c.kind === 'addition' ? 'A new sub-processor' : `A sub-processor replacing ${c.replaces ?? 'another'}`;
  return `${what}: ${c.subProcessor.name} (${c.subProcessor.role}, ${c.subProcessor.country}), at ${c.location.name}, ${c.location.site}. Announced ${c.announcedAt.slice(0, 10)}; in force from ${c.effectiveAt.slice(0, 16).replace('T', ' ')} UTC. Our clients may object until ${c.objectionDeadline.slice(0, 16).replace('T', ' ')} UTC.`;
}
