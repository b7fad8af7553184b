import nodemailer, { type Transporter } from 'nodemailer';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';

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

/** The transactional outbox: a message is a row first, and is sent from the row. */
export class Outbox {
  constructor(private readonly dataSource: DataSource) {}

  async enqueue(email: OutgoingEmail): Promise<{ enqueued: boolean }> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO outbox (message_id, contract_id, kind, recipient, cc, subject, body, attachments)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (message_id) DO NOTHING RETURNING message_id`,
      [email.messageId, email.contractId, email.kind, email.to, [...(email.cc ?? [])], email.subject, email.text, JSON.stringify(email.attachments ?? [])],
    );
    return { enqueued: rows.length === 1 };
  }
}

interface OutboxRow {
  message_id: string;
  kind: string;
  recipient: string;
  cc: string[];
  subject: string;
  body: string;
  attachments: { filename: string; content: string; contentType: string }[];
  attempts: number;
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

  constructor(
    private readonly dataSource: DataSource,
    smtpUrl: string,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.dispatchOnce()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn({ err: { type: (e as Error)?.name, code: (e as { code?: string })?.code } }, 'outbox dispatch failed'))
        .finally(() => {
          this.running = null;
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
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

  /** Sends every due message once; returns how many were sent. */
  async dispatchOnce(limit = 20): Promise<number> {
    let sent = 0;
    for (let i = 0; i < limit; i++) {
      const [row] = (await this.dataSource.query(
        `WITH next AS (
           SELECT message_id FROM outbox
           WHERE (status = 'pending' OR (status = 'sending' AND lease_until < now())) AND next_attempt_at <= now()
           ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE outbox o SET status = 'sending', lease_until = now() + interval '2 minutes', attempts = o.attempts + 1
           FROM next WHERE o.message_id = next.message_id
           RETURNING o.message_id, o.kind, o.recipient, o.cc, o.subject, o.body, o.attachments, o.attempts
         )
         SELECT * FROM claimed`,
      )) as OutboxRow[];
      if (!row) break;
      try {
        await this.transport.sendMail({
          from: this.from,
          to: row.recipient,
          ...(row.cc.length ? { cc: row.cc } : {}),
          subject: row.subject,
          text: row.body,
          messageId: `<${row.message_id}@dpa-engine>`,
          attachments: row.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
        });
      } catch (e) {
        const code = (e as { code?: string })?.code ?? 'send_failed';
        const delaySeconds = Math.min(3600, 5 * 2 ** Math.min(row.attempts, 10));
        await this.dataSource.query(
          `UPDATE outbox SET status = 'pending', lease_until = NULL, last_error = $2, next_attempt_at = now() + make_interval(secs => $3) WHERE message_id = $1`,
          [row.message_id, code, delaySeconds],
        );
        this.logger.warn({ messageId: row.message_id, kind: row.kind, code }, 'email not sent; will retry');
        continue;
      }
      await this.dataSource.query(`UPDATE outbox SET status = 'sent', sent_at = now(), lease_until = NULL, last_error = NULL WHERE message_id = $1`, [row.message_id]);
      sent++;
      this.logger.info({ messageId: row.message_id, kind: row.kind }, 'email sent');
    }
    return sent;
  }
}
