import { isBefore, maxInstant, subtractDuration, type Instant, type IsoDuration } from '../calendar';
import type { Timer } from './decider';

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
