import { log, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { EmailFailedData, EmailSentData, RecordEmailSent } from '#domain';
import { emailFailedSignal, emailSentSignal, type MailCarry } from '#infra/temporal/messages';
import type { Activities } from '../activities';
import { messageIdOf, type Notice } from '../mail/notice';
import { DATABASE_LOCAL_ACTIVITY, ENGINE, type CommitMail, type Ledger } from './ledger';

/**
 * Notices go into the outbox, a PostgreSQL write retried while the database is away: inside the
 * workflow task (a local activity, idempotent per message id), so a file's first append and its
 * first email cost one task.
 */
const localOutbox = proxyLocalActivities<Pick<Activities, 'sendNotice' | 'deliveryOf'>>(DATABASE_LOCAL_ACTIVITY);

/** A receipt the store would not take is tried again after this (the store away past the activity's retries). */
const RECORD_RETRY = '1 minute';

/**
 * A file's emails and their proof (DESIGN §3): each notice goes into the outbox once, and the
 * outbox's report that the SMTP server accepted it — or refused it for good — (a signal) is
 * recorded in the file's own stream as `EmailSent` / `EmailFailed`, once. The file's workflow does
 * not finish while a report is still to come.
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
    setHandler(emailSentSignal, (receipt) => this.received({ type: 'RecordEmailSent', data: receipt }));
    setHandler(emailFailedSignal, (failure) => this.received({ type: 'RecordEmailFailed', data: failure }));
  }

  /** True once `notice` was put in the outbox (by this workflow, in any of its runs). */
  queued(notice: Notice): boolean {
    const key = messageIdOf(notice);
    return this.awaiting.has(key) || this.recorded.has(key);
  }

  /**
   * Of `notices`, those not in the outbox yet, now marked awaited: the caller puts them there in
   * the activity that stores the events that owe them (Ledger.commit), and releases them if it fails.
   */
  claim(notices: readonly Notice[]): Notice[] {
    const fresh: Notice[] = [];
    for (const notice of notices) {
      // Marked as it is taken: a notice listed twice is taken once.
      if (this.queued(notice)) continue;
      this.awaiting.add(messageIdOf(notice));
      fresh.push(notice);
    }
    return fresh;
  }

  release(notices: readonly Notice[]): void {
    for (const notice of notices) this.awaiting.delete(messageIdOf(notice));
  }

  /** The emails `owed` lists for a state, claimed and released by the commits that reach it (CommitMail). */
  owedBy<S>(owed: (state: S) => readonly Notice[]): CommitMail<S> {
    return { claim: (state) => this.claim(owed(state)), release: (notices) => this.release(notices) };
  }

  /**
   * Puts those of `notices` not in the outbox yet there, one after another; nothing, and no
   * promise, when every one is (a file's loop asks at each turn: see EntityHooks.step).
   */
  sendOwed(notices: readonly Notice[]): Promise<void> | undefined {
    const fresh = notices.filter((notice) => !this.queued(notice));
    if (fresh.length === 0) return undefined;
    return (async () => {
      for (const notice of fresh) await this.send(notice);
    })();
  }

  /** Puts `notice` in the outbox unless it is there already; its receipt is then awaited. */
  async send(notice: Notice): Promise<void> {
    if (this.queued(notice)) return;
    const key = messageIdOf(notice);
    // Awaited before the activity runs: no report can come before it is enqueued. Refused for
    // good, it is not in the outbox: no longer awaited, it is owed again at the next try.
    this.awaiting.add(key);
    try {
      await localOutbox.sendNotice(notice);
    } catch (e) {
      this.awaiting.delete(key);
      throw e;
    }
  }

  /**
   * Pulls the outbox's record of a message whose report has not arrived (a report lagging behind a
   * clock that depends on it): recorded as if reported. False when it was not sent yet.
   */
  async pull(notice: Notice): Promise<boolean> {
    const key = messageIdOf(notice);
    if (this.recorded.has(key)) return true;
    if (!this.awaiting.has(key)) return false;
    const delivery = await localOutbox.deliveryOf({ key });
    if (!delivery) return false;
    await this.received(delivery);
    return true;
  }

  private async received(command: RecordEmailSent): Promise<void> {
    const { key } = command.data;
    // A report repeated by the outbox (its first signal timed out but arrived) records nothing.
    if (!this.awaiting.has(key)) return;
    this.awaiting.delete(key);
    this.recorded.add(key);
    // One receipt per append: a retried task's append of the same receipt is then recognised as
    // its retry (the same events), whatever other reports the retried task holds.
    for (;;) {
      try {
        await this.ledger.serially(() => this.ledger.commit(command, ENGINE));
        return;
      } catch (e) {
        // The store refused past the activity's retries: the email's fate must still reach the trail.
        log.warn('an email receipt could not be recorded yet; trying again', { key, error: (e as Error)?.name });
        await sleep(RECORD_RETRY);
      }
    }
  }

  /** No report is still to come. */
  settled(): boolean {
    return this.awaiting.size === 0;
  }

  carry(): MailCarry {
    return { awaiting: [...this.awaiting], recorded: [...this.recorded] };
  }
}

export type { EmailFailedData, EmailSentData };
