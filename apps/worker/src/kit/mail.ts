import { log, patched, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { EmailSentData, RecordEmailSent } from '../../../../libs/domain/src';
import { emailSentSignal, type MailCarry } from '../../../../libs/infra/src/temporal/messages';
import type { Activities } from '../activities';
import { messageIdOf, type Notice } from '../mail/notices';
import { DATABASE_ACTIVITY, DATABASE_LOCAL_ACTIVITY, ENGINE, type Ledger } from './ledger';

/**
 * Notices go into the outbox, a PostgreSQL write retried while the database is away: inside the
 * workflow task (a local activity, idempotent per message id), so a file's first append and its
 * first email cost one task. Runs recorded before that replay with the activity they used.
 */
const outbox = proxyActivities<Pick<Activities, 'sendNotice'>>(DATABASE_ACTIVITY);
const localOutbox = proxyLocalActivities<Pick<Activities, 'sendNotice'>>(DATABASE_LOCAL_ACTIVITY);

/**
 * A file's emails and their proof (DESIGN §3): each notice goes into the outbox once, and the
 * outbox's report that the SMTP server accepted it (a signal) is recorded in the file's own stream
 * as `EmailSent`, once. The file's workflow does not finish while a receipt is still to come.
 */
export class MailReceipts {
  private readonly awaiting: Set<string>;
  private readonly recorded: Set<string>;

  constructor(
    private readonly ledger: Ledger<RecordEmailSent, { type: string }, unknown>,
    carried: MailCarry | undefined,
  ) {
    this.awaiting = new Set(carried?.awaiting ?? []);
    this.recorded = new Set(carried?.recorded ?? []);
    setHandler(emailSentSignal, (receipt) => this.received(receipt));
  }

  /** True once `notice` was put in the outbox (by this workflow, in any of its runs). */
  queued(notice: Notice): boolean {
    const id = messageIdOf(notice);
    return this.awaiting.has(id) || this.recorded.has(id);
  }

  /** Puts `notice` in the outbox unless it is there already; its receipt is then awaited. */
  async send(notice: Notice): Promise<void> {
    if (this.queued(notice)) return;
    // Awaited before the activity runs: no report can come before it is enqueued.
    this.awaiting.add(messageIdOf(notice));
    await (patched('outbox-in-task') ? localOutbox : outbox).sendNotice(notice);
  }

  private async received(receipt: EmailSentData): Promise<void> {
    // A report repeated by the outbox (its first signal timed out but arrived) records nothing.
    if (!this.awaiting.has(receipt.messageId)) return;
    this.awaiting.delete(receipt.messageId);
    this.recorded.add(receipt.messageId);
    try {
      await this.ledger.serially(() => this.ledger.commit({ type: 'RecordEmailSent', data: receipt }, ENGINE));
    } catch (e) {
      // The store refused the receipt for good: the email went out all the same; say so, keep going.
      log.error('an email receipt could not be recorded', { messageId: receipt.messageId, error: (e as Error)?.name });
    }
  }

  /** No receipt is still to come. */
  settled(): boolean {
    return this.awaiting.size === 0;
  }

  carry(): MailCarry {
    return { awaiting: [...this.awaiting], recorded: [...this.recorded] };
  }
}
