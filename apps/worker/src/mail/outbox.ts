import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';
import type { EmailSentData } from '../../../../libs/domain/src';

export interface OutgoingEmail {
  /** Stable per message (e.g. `<contract>:certificate`): enqueueing it twice sends it once. */
  readonly messageId: string;
  readonly contractId: string | null;
  readonly kind: string;
  readonly to: string;
  /** In copy (the controller's DPO). */
  readonly cc?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly attachments?: readonly { filename: string; content: string; contentType: string }[];
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The HTML part of an email, from its plain text: paragraphs, and lines starting "- " as a list. */
export function htmlOf(subject: string, text: string): string {
  const blocks = text.split(/\n{2,}/).map((block) => {
    const lines = block.split('\n');
    const items = lines.filter((l) => l.startsWith('- '));
    if (items.length === lines.length) return `<ul>${items.map((l) => `<li>${escapeHtml(l.slice(2))}</li>`).join('')}</ul>`;
    return `<p>${lines.map(escapeHtml).join('<br>')}</p>`;
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body style="font-family: sans-serif; line-height: 1.5; max-width: 42em">${blocks.join('\n')}</body></html>`;
}

/**
 * The exact RFC 5322 bytes of `email` (plain text and HTML): built once, so a resend is the same
 * message, byte for byte as SMTP transmits it: CRLF line breaks, ending with one.
 */
export async function composeMessage(email: OutgoingEmail, from: string, date: Date): Promise<Buffer> {
  const built = await new MailComposer({
    from,
    to: email.to,
    ...(email.cc?.length ? { cc: [...email.cc] } : {}),
    subject: email.subject,
    text: email.text,
    html: htmlOf(email.subject, email.text),
    messageId: `<${email.messageId}@dpa-engine>`,
    date,
    attachments: (email.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
  })
    .compile()
    .build();
  // SMTP carries CRLF line breaks (nodemailer rewrites bare LFs on the wire): stored as transmitted.
  const lines = built.toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.from(lines.endsWith('\r\n') ? lines : `${lines}\r\n`, 'latin1');
}

/**
 * The transactional outbox: a message is a row first — its exact bytes and their sha256 — and is
 * sent from the row. The row names the workflow of the file it belongs to, which hears of the
 * delivery (see OutboxDispatcher).
 */
export class Outbox {
  constructor(
    private readonly dataSource: DataSource,
    private readonly from: string,
  ) {}

  async enqueue(email: OutgoingEmail, ownerWorkflowId: string | null = null): Promise<{ enqueued: boolean }> {
    const raw = await composeMessage(email, this.from, new Date());
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO outbox (message_id, contract_id, kind, recipient, cc, subject, body, attachments, raw, sha256, owner_workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [
        email.messageId,
        email.contractId,
        email.kind,
        email.to,
        [...(email.cc ?? [])],
        email.subject,
        email.text,
        JSON.stringify(email.attachments ?? []),
        raw,
        createHash('sha256').update(raw).digest('hex'),
        ownerWorkflowId,
      ],
    );
    return { enqueued: rows.length === 1 };
  }
}

/** Tells a file's workflow that one of its emails was accepted (a Temporal signal). */
export type DeliveryReport = (workflowId: string, receipt: EmailSentData) => Promise<void>;

/** Messages claimed per query, sent side by side over the pooled connections. */
const CLAIM_BATCH = 10;
/** Receipts reported per round, and at once. */
const REPORT_BATCH = 200;
const REPORT_LANES = 16;

interface OutboxRow {
  message_id: string;
  kind: string;
  recipient: string;
  cc: string[];
  subject: string;
  body: string;
  attachments: { filename: string; content: string; contentType: string }[];
  /** Null on a row written before messages were kept whole: composed at its first sending. */
  raw: Buffer | null;
  sha256: string | null;
  attempts: number;
  owner_workflow_id: string | null;
}

interface SentRow {
  message_id: string;
  kind: string;
  recipient: string;
  cc: string[];
  sha256: string;
  accepted_at: Date;
  owner_workflow_id: string;
}

/**
 * Sends what the outbox holds. Each message is claimed alone, with a lease (SKIP LOCKED, no
 * transaction held while SMTP talks), sent, then marked: two workers never send it at once, and a
 * crash between sending and marking resends it once the lease runs out, with the same Message-ID.
 */
export class OutboxDispatcher {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private busy = false;

  constructor(
    private readonly dataSource: DataSource,
    smtpUrl: string,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
    private readonly report: DeliveryReport | null = null,
    /** A message the relay refused is tried again after 10 s, 20 s, … up to this. */
    private readonly maxRetryDelaySeconds = 3_600,
  ) {
    // One connection reused across messages: a notice to every controller of a datacenter is hundreds of emails.
    this.transport = nodemailer.createTransport(smtpUrl.includes('pool=') ? smtpUrl : `${smtpUrl}${smtpUrl.includes('?') ? '&' : '?'}pool=true`);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.dispatchOnce()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn({ err: { type: (e as Error)?.name, code: (e as { code?: string })?.code } }, 'outbox dispatch failed'))
        .finally(() => {
          this.running = null;
          // A full round means more is waiting: go again at once.
          if (!this.stopped) this.timer = setTimeout(tick, this.busy ? 0 : this.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    this.transport.close();
  }

  /** Sends every due message once, then reports deliveries; returns how many were sent. */
  async dispatchOnce(limit = 50): Promise<number> {
    const sent = await this.sendDue(limit);
    const reported = await this.reportDeliveries();
    this.busy = sent === limit || reported === REPORT_BATCH;
    return sent;
  }

  private async sendDue(limit: number): Promise<number> {
    let sent = 0;
    for (let claimed = 0; claimed < limit; ) {
      const rows = (await this.dataSource.query(
        `WITH next AS (
           SELECT message_id FROM outbox
           WHERE (status = 'pending' OR (status = 'sending' AND lease_until < now())) AND next_attempt_at <= now()
           ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE outbox o SET status = 'sending', lease_until = now() + interval '2 minutes', attempts = o.attempts + 1
           FROM next WHERE o.message_id = next.message_id
           RETURNING o.message_id, o.kind, o.recipient, o.cc, o.subject, o.body, o.attachments, o.raw, o.sha256, o.attempts, o.owner_workflow_id, o.created_at
         )
         SELECT * FROM claimed ORDER BY created_at`,
        [Math.min(CLAIM_BATCH, limit - claimed)],
      )) as OutboxRow[];
      if (rows.length === 0) break;
      claimed += rows.length;
      // Each claimed message on its own: the pool's connections carry several at once.
      const results = await Promise.all(rows.map((row) => this.sendOne(row)));
      sent += results.filter(Boolean).length;
    }
    return sent;
  }

  private async sendOne(row: OutboxRow): Promise<boolean> {
    if (!row.raw) {
      const raw = await composeMessage({ messageId: row.message_id, contractId: null, kind: row.kind, to: row.recipient, cc: row.cc, subject: row.subject, text: row.body, attachments: row.attachments }, this.from, new Date());
      await this.dataSource.query(`UPDATE outbox SET raw = $2, sha256 = $3 WHERE message_id = $1`, [row.message_id, raw, createHash('sha256').update(raw).digest('hex')]);
      row.raw = raw;
    }
    let acceptedAt: Date;
    try {
      // The exact bytes stored at enqueueing (their sha256 is the proof), to every recipient.
      await this.transport.sendMail({ envelope: { from: this.from, to: [row.recipient, ...row.cc] }, raw: row.raw });
      acceptedAt = new Date();
    } catch (e) {
      const code = (e as { code?: string })?.code ?? 'send_failed';
      const delaySeconds = Math.min(this.maxRetryDelaySeconds, 5 * 2 ** Math.min(row.attempts, 10));
      await this.dataSource.query(
        `UPDATE outbox SET status = 'pending', lease_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE message_id = $1`,
        [row.message_id, code, delaySeconds],
      );
      this.logger.warn({ messageId: row.message_id, kind: row.kind, code }, 'email not sent; will retry');
      return false;
    }
    await this.dataSource.query(`UPDATE outbox SET status = 'sent', sent_at = now(), accepted_at = $2, lease_until = NULL, last_error = NULL WHERE message_id = $1`, [row.message_id, acceptedAt]);
    this.logger.info({ messageId: row.message_id, kind: row.kind }, 'email sent');
    return true;
  }

  /**
   * Tells each sent message's workflow that it went out, until the report is through: a report
   * lost to a crash or to Temporal being away is made again (the workflow records each once).
   */
  private async reportDeliveries(limit = REPORT_BATCH): Promise<number> {
    if (!this.report) return 0;
    const rows = (await this.dataSource.query(
      `SELECT message_id, kind, recipient, cc, sha256, accepted_at, owner_workflow_id FROM outbox
       WHERE status = 'sent' AND reported_at IS NULL AND owner_workflow_id IS NOT NULL AND accepted_at IS NOT NULL
       ORDER BY accepted_at LIMIT $1`,
      [limit],
    )) as SentRow[];
    let reported = 0;
    for (let i = 0; i < rows.length; i += REPORT_LANES) {
      const batch = rows.slice(i, i + REPORT_LANES);
      const outcomes = await Promise.allSettled(
        batch.map((row) =>
          this.report!(row.owner_workflow_id, { messageId: row.message_id, kind: row.kind, to: [row.recipient], cc: row.cc, acceptedAt: row.accepted_at.toISOString(), sha256: row.sha256 }),
        ),
      );
      const done: string[] = [];
      let failure: string | null = null;
      outcomes.forEach((o, k) => {
        const gone = o.status === 'rejected' && (o.reason as Error)?.name === 'WorkflowNotFoundError';
        if (gone) this.logger.warn({ messageId: batch[k]!.message_id }, "the email's workflow is gone; its receipt stays in the outbox");
        if (o.status === 'fulfilled' || gone) done.push(batch[k]!.message_id);
        else failure ??= (o.reason as Error)?.name ?? 'error';
      });
      if (done.length) await this.dataSource.query(`UPDATE outbox SET reported_at = now() WHERE message_id = ANY($1)`, [done]);
      reported += done.length;
      // Temporal away: the rest waits for the next round.
      if (failure) {
        this.logger.warn({ error: failure }, 'email receipts not reported; will retry');
        break;
      }
    }
    return reported;
  }
}
