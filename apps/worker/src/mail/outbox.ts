import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';
import type { EmailFailedData, EmailSentData, RecordEmailSent } from '#domain';
import { type WorkerMetrics } from '../metrics';

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

/** The Message-ID header of an outbox key: RFC 5322's dot-atom on the left (no `:`), the engine on the right. */
export const headerMessageId = (key: string): string => `<${key.replace(/:/g, '.')}@dpa-engine>`;

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
    messageId: headerMessageId(email.messageId),
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
    /** Told of each row written (this process's dispatcher, so that it sends now, not at its next round). */
    private readonly enqueued: () => void = () => undefined,
  ) {}

  async enqueue(email: OutgoingEmail, ownerWorkflowId: string | null = null): Promise<{ enqueued: boolean }> {
    const raw = await composeMessage(email, this.from, new Date());
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO outbox (message_id, contract_id, kind, recipient, cc, subject, body, attachments, raw, sha256, owner_workflow_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (message_id) DO UPDATE SET owner_workflow_id = EXCLUDED.owner_workflow_id, reported_at = NULL, report_lease_until = NULL
         WHERE outbox.owner_workflow_id IS DISTINCT FROM EXCLUDED.owner_workflow_id OR outbox.reported_at IS NOT NULL
       RETURNING (xmax = 0) AS inserted`,
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
    this.enqueued();
    // Enqueued again (a retried activity, a file whose earlier run wrote it): sent once all the same,
    // and its fate reported again to the workflow asking, which records it once.
    return { enqueued: (rows as { inserted: boolean }[])[0]?.inserted === true };
  }

  /** What became of a message, as its workflow records it; null while it is still to be sent. */
  async deliveryOf(key: string): Promise<RecordEmailSent | null> {
    const [row] = (await this.dataSource.query(`SELECT ${REPORT_COLUMNS} FROM outbox WHERE message_id = $1 AND status IN ('sent', 'failed')`, [key])) as ReportRow[];
    return row ? reportOf(row) : null;
  }
}

const REPORT_COLUMNS = 'message_id, status, kind, recipient, cc, sha256, accepted_at, failed_at, smtp_code, owner_workflow_id';

interface ReportRow {
  message_id: string;
  status: 'sent' | 'failed';
  kind: string;
  recipient: string;
  cc: string[];
  sha256: string;
  accepted_at: Date | null;
  failed_at: Date | null;
  smtp_code: number | null;
  owner_workflow_id: string;
}

function reportOf(row: ReportRow): RecordEmailSent {
  const common = { messageId: headerMessageId(row.message_id), key: row.message_id, kind: row.kind, to: [row.recipient], cc: row.cc };
  if (row.status === 'failed') return { type: 'RecordEmailFailed', data: { ...common, failedAt: row.failed_at!.toISOString(), smtpCode: row.smtp_code } satisfies EmailFailedData };
  return { type: 'RecordEmailSent', data: { ...common, acceptedAt: row.accepted_at!.toISOString(), sha256: row.sha256 } satisfies EmailSentData };
}

/** Tells a file's workflow that one of its emails was accepted, or refused for good (a Temporal signal). */
export type DeliveryReport = (workflowId: string, report: RecordEmailSent) => Promise<void>;

/** Messages claimed per query, sent side by side over the pooled connections (one each). */
const CLAIM_BATCH = 10;
/**
 * A claim's lease, renewed while its messages are being sent: a worker killed mid-send leaves rows
 * another takes over within 15 s (it was 2 minutes). A sender that could not renew for 10 s —
 * measured from the start of its last confirmed claim or renewal, so the lease it holds runs at
 * least 15 s from then — aborts its sends before the lease can run out, starts none once that
 * time has passed, and stops at once when a renewal finds a row taken over. What an abort cannot
 * undo: a message whose last byte already left (its final dot written, the relay's answer not yet
 * in) may be sent again by the next claimant, with the same Message-ID and bytes — the same window
 * as a worker killed between sending and marking a message sent.
 */
export interface LeaseTimings {
  readonly seconds: number;
  readonly renewEveryMs: number;
  readonly fenceAfterMs: number;
}
const LEASE: LeaseTimings = { seconds: 15, renewEveryMs: 5_000, fenceAfterMs: 10_000 };
/** A report round's lease: a repeated report records nothing, so it only needs to cover the round. */
const REPORT_LEASE_SECONDS = 15;
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
  private tick: (() => void) | null = null;
  /** A message was enqueued during the round in progress. */
  private woken = false;

  constructor(
    private readonly dataSource: DataSource,
    smtpUrl: string,
    private readonly from: string,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
    private readonly report: DeliveryReport | null = null,
    /** A message the relay refused is tried again after 10 s, 20 s, … up to this. */
    private readonly maxRetryDelaySeconds = 3_600,
    private readonly metrics: Pick<WorkerMetrics, 'emailsSent' | 'emailsFailed'> | null = null,
    /** The claim's lease (tests shorten it): renewed before its fence, which comes before it runs out. */
    private readonly lease: LeaseTimings = LEASE,
  ) {
    // Connections reused across messages: a notice to every controller of a datacenter is hundreds of
    // emails. One per claimed message, so none waits for a connection with its lease running; a stalled
    // relay is given up after 10 s of silence, and the lease's fence stops a send that outlives it.
    this.transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: CLAIM_BATCH, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 10_000 } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  start(): void {
    const tick = (this.tick = () => {
      if (this.stopped) return;
      this.woken = false;
      this.running = this.dispatchOnce()
        .then(() => undefined)
        .catch((e: unknown) => this.logger.warn({ err: { type: (e as Error)?.name, code: (e as { code?: string })?.code } }, 'outbox dispatch failed'))
        .finally(() => {
          this.running = null;
          // A full round means more is waiting, and a wake-up during the round may have come too late for it: go again at once.
          if (!this.stopped) this.timer = setTimeout(tick, this.busy || this.woken ? 0 : this.intervalMs);
        });
    });
    tick();
  }

  /**
   * A message was just enqueued here: a round starts at once rather than at the next interval (a
   * round in progress goes again as soon as it ends). Other workers' messages wait for the interval.
   */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.woken = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.tick?.();
  }

  /** Settles when the round in progress (if any) has ended. */
  async round(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.round();
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
      const claimStarted = performance.now();
      const rows = (await this.dataSource.query(
        `WITH next AS (
           SELECT message_id FROM outbox
           WHERE (status = 'pending' OR (status = 'sending' AND lease_until < now())) AND next_attempt_at <= now()
           ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED
         ), claimed AS (
           UPDATE outbox o SET status = 'sending', lease_until = now() + make_interval(secs => $2), attempts = o.attempts + 1
           FROM next WHERE o.message_id = next.message_id
           RETURNING o.message_id, o.kind, o.recipient, o.cc, o.subject, o.body, o.attachments, o.raw, o.sha256, o.attempts, o.owner_workflow_id, o.created_at
         )
         SELECT * FROM claimed ORDER BY created_at`,
        [Math.min(CLAIM_BATCH, limit - claimed), this.lease.seconds],
      )) as OutboxRow[];
      if (rows.length === 0) break;
      claimed += rows.length;
      // Each claimed message on its own: the pool's connections carry several at once.
      const lease = this.holdLease(rows, claimStarted);
      const results = await Promise.allSettled(rows.map((row) => this.sendOne(row, lease).finally(() => lease.done(row)))).finally(() => lease.release());
      sent += results.filter((r) => r.status === 'fulfilled' && r.value).length;
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      // The database away mid-round: the claims' leases run out and the rows are tried again.
      if (failed) throw failed.reason;
    }
    return sent;
  }

  /**
   * Renews the claim on `rows` every `renewEveryMs` while they are sent (each row fenced by its
   * attempt), and aborts their sends once no renewal was confirmed for `fenceAfterMs` — or at once
   * when a renewal finds a row still being sent here that is no longer this claim's (it was taken
   * over after a pause longer than the lease). `done(row)` takes a row out of the renewals once it
   * was sent or given up.
   */
  private holdLease(rows: readonly OutboxRow[], claimStarted: number): { signal: AbortSignal; expired(): boolean; done(row: OutboxRow): void; release(): void } {
    const abort = new AbortController();
    let confirmed = claimStarted;
    const inFlight = new Map(rows.map((r) => [r.message_id, r.attempts]));
    const expired = () => abort.signal.aborted || performance.now() - confirmed >= this.lease.fenceAfterMs;
    const stop = (why: string) => {
      if (abort.signal.aborted) return;
      this.logger.warn({ messages: inFlight.size }, why);
      abort.abort();
    };
    const renew = setInterval(() => {
      if (abort.signal.aborted || inFlight.size === 0) return;
      const started = performance.now();
      const asked = [...inFlight];
      this.dataSource
        .query(
          `WITH renewed AS (
             UPDATE outbox o SET lease_until = now() + make_interval(secs => $3)
               FROM unnest($1::text[], $2::int[]) AS c(message_id, attempts)
              WHERE o.message_id = c.message_id AND o.attempts = c.attempts AND o.status = 'sending'
              RETURNING o.message_id
           )
           SELECT message_id FROM renewed`,
          [asked.map(([id]) => id), asked.map(([, attempts]) => attempts), this.lease.seconds],
        )
        .then(
          (renewed: { message_id: string }[]) => {
            const held = new Set(renewed.map((r) => r.message_id));
            // A row asked about and still in flight here, but not renewed: it is no longer ours.
            if (asked.some(([id]) => inFlight.has(id) && !held.has(id))) stop('outbox lease lost to another sender: sends aborted');
            else confirmed = Math.max(confirmed, started);
          },
          () => undefined,
        );
    }, this.lease.renewEveryMs);
    const fence = setInterval(() => {
      if (inFlight.size > 0 && expired()) stop('outbox lease not renewed in time: sends aborted, the rows go to whoever claims them next');
    }, Math.max(50, Math.min(500, (this.lease.seconds * 1_000 - this.lease.fenceAfterMs) / 2)));
    return {
      signal: abort.signal,
      expired,
      done: (row) => inFlight.delete(row.message_id),
      release: () => {
        clearInterval(renew);
        clearInterval(fence);
      },
    };
  }

  private async sendOne(row: OutboxRow, lease: { readonly signal: AbortSignal; expired(): boolean }): Promise<boolean> {
    const { signal } = lease;
    if (!row.raw) {
      const raw = await composeMessage({ messageId: row.message_id, contractId: null, kind: row.kind, to: row.recipient, cc: row.cc, subject: row.subject, text: row.body, attachments: row.attachments }, this.from, new Date());
      await this.dataSource.query(`UPDATE outbox SET raw = $2, sha256 = $3 WHERE message_id = $1`, [row.message_id, raw, createHash('sha256').update(raw).digest('hex')]);
      row.raw = raw;
    }
    let acceptedAt: Date;
    try {
      // The exact bytes stored at enqueueing (their sha256 is the proof), to every recipient.
      // Never start a send on a lease that may be running out (a claim whose answer came late).
      if (lease.expired()) throw Object.assign(new Error('lease lost'), { code: 'lease_lost' });
      await this.transport.sendMail({ envelope: { from: this.from, to: [row.recipient, ...row.cc] }, raw: row.raw, signal });
      acceptedAt = new Date();
    } catch (e) {
      const code = (e as { code?: string })?.code ?? 'send_failed';
      const smtpCode = (e as { responseCode?: number })?.responseCode ?? null;
      // Each update is fenced by this claim's attempt: a sender whose lease ran out changes nothing.
      if (smtpCode !== null && smtpCode >= 500 && smtpCode < 600) {
        // Refused for good (no such mailbox, say): it will never go; its workflow records that.
        await this.dataSource.query(
          `UPDATE outbox SET status = 'failed', failed_at = now(), smtp_code = $3, lease_until = NULL, last_error = $4 WHERE message_id = $1 AND status = 'sending' AND attempts = $2`,
          [row.message_id, row.attempts, smtpCode, code],
        );
        this.logger.error({ messageId: row.message_id, kind: row.kind, code, smtpCode }, 'email refused for good by the relay');
        this.metrics?.emailsFailed.inc({ kind: row.kind, outcome: 'refused' });
        return false;
      }
      const delaySeconds = Math.min(this.maxRetryDelaySeconds, 5 * 2 ** Math.min(row.attempts, 10));
      await this.dataSource.query(
        `UPDATE outbox SET status = 'pending', lease_until = NULL, last_error = $3, next_attempt_at = now() + make_interval(secs => $4) WHERE message_id = $1 AND status = 'sending' AND attempts = $2`,
        [row.message_id, row.attempts, code, delaySeconds],
      );
      this.logger.warn({ messageId: row.message_id, kind: row.kind, code, smtpCode }, 'email not sent; will retry');
      this.metrics?.emailsFailed.inc({ kind: row.kind, outcome: 'deferred' });
      return false;
    }
    await this.dataSource.query(
      `UPDATE outbox SET status = 'sent', sent_at = now(), accepted_at = $3, lease_until = NULL, last_error = NULL WHERE message_id = $1 AND status = 'sending' AND attempts = $2`,
      [row.message_id, row.attempts, acceptedAt],
    );
    this.logger.info({ messageId: row.message_id, kind: row.kind }, 'email sent');
    this.metrics?.emailsSent.inc({ kind: row.kind });
    return true;
  }

  /**
   * Tells each sent message's workflow that it went out, until the report is through: a report
   * lost to a crash or to Temporal being away is made again (the workflow records each once).
   */
  private async reportDeliveries(limit = REPORT_BATCH): Promise<number> {
    if (!this.report) return 0;
    // Claimed with a short lease: with several workers each report is made by one of them.
    const rows = (await this.dataSource.query(
      `WITH next AS (
         SELECT message_id FROM outbox
         WHERE status IN ('sent', 'failed') AND reported_at IS NULL AND owner_workflow_id IS NOT NULL AND (report_lease_until IS NULL OR report_lease_until < now())
         ORDER BY coalesce(accepted_at, failed_at) LIMIT $1 FOR UPDATE SKIP LOCKED
       )
       , claimed AS (
         UPDATE outbox o SET report_lease_until = now() + make_interval(secs => $2) FROM next WHERE o.message_id = next.message_id
         RETURNING ${REPORT_COLUMNS.split(', ').map((c) => `o.${c}`).join(', ')}
       )
       SELECT * FROM claimed`,
      [limit, REPORT_LEASE_SECONDS],
    )) as ReportRow[];
    let reported = 0;
    for (let i = 0; i < rows.length; i += REPORT_LANES) {
      const batch = rows.slice(i, i + REPORT_LANES);
      const outcomes = await Promise.allSettled(batch.map((row) => this.report!(row.owner_workflow_id, reportOf(row))));
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
      // Temporal away: the rest is released for the next round.
      if (failure) {
        this.logger.warn({ error: failure }, 'email receipts not reported; will retry');
        const left = rows.slice(i).map((r) => r.message_id).filter((id) => !done.includes(id));
        await this.dataSource.query(`UPDATE outbox SET report_lease_until = NULL WHERE message_id = ANY($1) AND reported_at IS NULL`, [left]);
        break;
      }
    }
    return reported;
  }
}
