import { isAfter, isBefore, maxInstant, subtractDuration, type Instant, type IsoDuration } from '../calendar';
import type { Timer } from './decider';

/*
 * Lateness, once for every clock of every file (DESIGN §3.9): a clock is overdue once its instant
 * has passed and what it asks for is not done; what is done after its instant is late. At the very
 * instant it is still on time, as "by <instant>" reads. The inbox, the views, the certificate and
 * the browser all ask these two, never compare instants themselves.
 */

/** The clock due at `dueAt` is overdue at `at` (when what it asks for is not done yet). */
export const isOverdue = (dueAt: Instant, at: Instant): boolean => isAfter(at, dueAt);

/** What the clock due at `dueAt` asked for, done at `doneAt`, was done late. */
export const isLate = (dueAt: Instant, doneAt: Instant): boolean => isAfter(doneAt, dueAt);

/*
 * The one clock of another kind: what must happen *before* an instant (the controller told before
 * a transfer the law requires, DESIGN §3.3) is already too late at the instant itself.
 */
export const isOverdueBefore = (instant: Instant, at: Instant): boolean => !isBefore(at, instant);
export const isLateBefore = (instant: Instant, doneAt: Instant): boolean => !isBefore(doneAt, instant);

/** A clock the engine acted on: when it was due, and when the engine acted. */
export interface Acted {
  readonly dueAt: Instant;
  readonly actedAt: Instant;
}

/**
 * The two nudges of a clock someone must meet (DESIGN §3): account management is reminded `lead`
 * before it (never before the file opened), the processor's DPO is escalated to when it passes.
 * Each once per due instant: a due that moves is nudged again.
 */
export function remindThenEscalate<C>(
  o: { readonly dueAt: Instant; readonly lead: IsoDuration; readonly openedAt: Instant; readonly reminded: Acted | null; readonly escalated: Acted | null },
  remind: (acted: Acted) => C,
  escalate: (acted: Acted) => C,
  kinds: { readonly reminder: string; readonly escalation: string },
): Timer<C> | null {
  const { dueAt } = o;
  const remindAt = maxInstant(o.openedAt, subtractDuration(dueAt, o.lead));
  // Opened with less than the lead left, the reminder goes at once; opened past due, only the escalation.
  if (o.reminded?.dueAt !== dueAt && o.escalated?.dueAt !== dueAt && isBefore(remindAt, dueAt)) {
    return { kind: kinds.reminder, at: remindAt, command: (actedAt) => remind({ dueAt, actedAt }) };
  }
  if (o.escalated?.dueAt !== dueAt) return { kind: kinds.escalation, at: dueAt, command: (actedAt) => escalate({ dueAt, actedAt }) };
  return null;
}
