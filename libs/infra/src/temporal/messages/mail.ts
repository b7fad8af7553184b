import { defineSignal } from '@temporalio/workflow';
import { type EmailFailedData, type EmailSentData } from '#domain';

/**
 * The emails a file owes: the outbox's reports of what became of each (sent, or refused for good),
 * and what a file carries of them through continue-as-new.
 */

export interface MailCarry {
  readonly awaiting: readonly string[];
  readonly recorded: readonly string[];
}

/**
 * The outbox's report that the SMTP server accepted one of a file's emails: signalled to the
 * file's workflow, which alone records it (as `EmailSent`) in its stream.
 */
export const emailSentSignal = defineSignal<[EmailSentData]>('emailSent');
/** …or that the relay refused it for good (a 5xx answer): the file records that it never went. */
export const emailFailedSignal = defineSignal<[EmailFailedData]>('emailFailed');
