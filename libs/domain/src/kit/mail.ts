import type { Instant } from '../calendar';
import type { StreamType } from './decider';

/** What names an email and whom it went to. */
interface EmailFacts {
  /** The Message-ID header, as sent (`<…@dpa-engine>`). */
  readonly messageId: string;
  /** The outbox's key of the message (`<file id>:<what>`): one message per key. */
  readonly key: string;
  /** What the email was (`certificate`, `breach-notice`, `breach-supplement`, …). */
  readonly kind: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
}

/**
 * Proof of what was sent (DESIGN §3): an email the SMTP server accepted, recorded in the trail of
 * the file it belongs to — its Message-ID header, its recipients, the instant the server accepted
 * it and the sha256 of the exact message (RFC 5322 bytes) as it was handed over.
 */
export interface EmailSentData extends EmailFacts {
  readonly acceptedAt: Instant;
  readonly sha256: string;
}

/** An email the relay refused for good (a 5xx answer): recorded too, so the trail says it never went. */
export interface EmailFailedData extends EmailFacts {
  readonly failedAt: Instant;
  /** The SMTP reply code, never the reply's text (it may quote an address). */
  readonly smtpCode: number | null;
}

export type RecordEmailSent = { readonly type: 'RecordEmailSent'; readonly data: EmailSentData } | { readonly type: 'RecordEmailFailed'; readonly data: EmailFailedData };
export type EmailSent = { readonly type: 'EmailSent'; readonly data: EmailSentData } | { readonly type: 'EmailFailed'; readonly data: EmailFailedData };

/** The receipt of an email (sent or refused), not a fact of the file: it may follow the file's last fact. */
export const isEmailReceipt = (event: { readonly type: string }): boolean => event.type === 'EmailSent' || event.type === 'EmailFailed';

/** A file's facts without its emails' receipts, in order. */
export const factsOf = <E extends { readonly type: string }>(events: readonly E[]): E[] => events.filter((e) => !isEmailReceipt(e));

/**
 * A stream type that also records what became of its emails: every file's workflow takes the
 * outbox's report of a delivery (or of a refusal for good) as a command (it alone writes the
 * stream), and records each message once. `onEmailSent` lets a file read its own receipts (a
 * breach notice is `sent` when its email was accepted).
 */
export function withEmailReceipts<C extends { readonly type: string }, E extends { readonly type: string }, S>(
  inner: StreamType<C, E, S>,
  onEmailSent: (state: S, email: EmailSentData) => S = (state) => state,
): StreamType<C | RecordEmailSent, E | EmailSent, S> {
  const isMail = (e: E | EmailSent): e is EmailSent => isEmailReceipt(e);
  return {
    ...inner,
    eventVersions: { ...inner.eventVersions, EmailSent: 1, EmailFailed: 1 } as Record<(E | EmailSent)['type'], number>,
    decide: (command, state) => {
      if (command.type === 'RecordEmailSent') return [{ type: 'EmailSent', data: (command as RecordEmailSent).data as EmailSentData }];
      if (command.type === 'RecordEmailFailed') return [{ type: 'EmailFailed', data: (command as RecordEmailSent).data as EmailFailedData }];
      return inner.decide(command as C, state);
    },
    evolve: (state, event) => (isMail(event) ? (event.type === 'EmailSent' ? onEmailSent(state, event.data) : state) : inner.evolve(state, event)),
    occurredAt: (event) => (isMail(event) ? (event.type === 'EmailSent' ? event.data.acceptedAt : event.data.failedAt) : inner.occurredAt(event)),
    upcast: (stored) => (stored.type === 'EmailSent' || stored.type === 'EmailFailed' ? ({ type: stored.type, data: stored.data } as EmailSent) : inner.upcast(stored)),
    nextTimer: (state) => inner.nextTimer(state) as ReturnType<StreamType<C | RecordEmailSent, E | EmailSent, S>['nextTimer']>,
  };
}
