import type { Instant } from '../calendar';
import type { StreamType } from './decider';

/**
 * Proof of what was sent (DESIGN §3): an email the SMTP server accepted, recorded in the trail of
 * the file it belongs to — its Message-ID, its recipients, the instant the server accepted it and
 * the sha256 of the exact message (RFC 5322 bytes) as it was handed over.
 */
export interface EmailSentData {
  readonly messageId: string;
  /** What the email was (`certificate`, `breach-notice`, `breach-supplement`, …). */
  readonly kind: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly acceptedAt: Instant;
  readonly sha256: string;
}

export interface RecordEmailSent {
  readonly type: 'RecordEmailSent';
  readonly data: EmailSentData;
}

export interface EmailSent {
  readonly type: 'EmailSent';
  readonly data: EmailSentData;
}

/**
 * A stream type that also records the receipts of its emails: every file's workflow takes the
 * outbox's report of a delivery as a `RecordEmailSent` command (it alone writes the stream). The
 * workflow records each message once; `onEmailSent` lets a file read its own receipts (a breach
 * notice is `sent` when its email was accepted).
 */
export function withEmailReceipts<C extends { readonly type: string }, E extends { readonly type: string }, S>(
  inner: StreamType<C, E, S>,
  onEmailSent: (state: S, email: EmailSentData) => S = (state) => state,
): StreamType<C | RecordEmailSent, E | EmailSent, S> {
  const isReceipt = (e: E | EmailSent): e is EmailSent => e.type === 'EmailSent';
  return {
    ...inner,
    eventVersions: { ...inner.eventVersions, EmailSent: 1 } as Record<(E | EmailSent)['type'], number>,
    decide: (command, state) => (command.type === 'RecordEmailSent' ? [{ type: 'EmailSent', data: (command as RecordEmailSent).data }] : inner.decide(command as C, state)),
    evolve: (state, event) => (isReceipt(event) ? onEmailSent(state, event.data) : inner.evolve(state, event)),
    occurredAt: (event) => (isReceipt(event) ? event.data.acceptedAt : inner.occurredAt(event)),
    upcast: (stored) => (stored.type === 'EmailSent' ? ({ type: 'EmailSent', data: stored.data } as EmailSent) : inner.upcast(stored)),
    nextTimer: (state) => inner.nextTimer(state) as ReturnType<StreamType<C | RecordEmailSent, E | EmailSent, S>['nextTimer']>,
  };
}
