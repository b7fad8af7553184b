import { addDuration, compareInstants, type Instant } from '../calendar';
import type { Timer as KitTimer } from '../kit/decider';
import { destructionStartDue } from './destruction.decide';
import type { ContractCommand } from './contract.commands';
import type { ContractEvent } from './contract.events';
import { hasDestructionPlan, unservedExports, type ContractState, type PlannedDestruction } from './contract.state';

export type DeadlineKind = 'term-end' | 'grace-end' | 'return-window-end' | 'escalation' | 'destruction-deadline';

export interface Deadline {
  readonly kind: DeadlineKind;
  readonly at: Instant;
}

/** A contract timer: what the workflow issues, given when it acted, when the clock runs out. */
export type Timer = KitTimer<ContractCommand, DeadlineKind>;

const ORDER: readonly DeadlineKind[] = ['term-end', 'grace-end', 'return-window-end', 'escalation', 'destruction-deadline'];

function byTime(a: Deadline, b: Deadline): number {
  return compareInstants(a.at, b.at) || ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind);
}

function destructionDeadlines(d: PlannedDestruction): Deadline[] {
  const deadlines: Deadline[] = [];
  if (d.status === 'scheduled') deadlines.push({ kind: 'return-window-end', at: d.returnWindowEndsAt });
  if (d.escalatedAt === null) deadlines.push({ kind: 'escalation', at: d.escalationAt });
  if (d.deadlineMissedAt === null) deadlines.push({ kind: 'destruction-deadline', at: d.deadline });
  return deadlines;
}

/** The dates still ahead for this contract, earliest first. */
export function upcomingDeadlines(state: ContractState): Deadline[] {
  if (state.status === 'active') {
    const deadlines: Deadline[] = [{ kind: 'term-end', at: state.termEnd }];
    if (state.renewalGracePeriod !== null) {
      deadlines.push({ kind: 'grace-end', at: addDuration(state.termEnd, state.renewalGracePeriod) });
    }
    return deadlines;
  }
  return hasDestructionPlan(state) ? destructionDeadlines(state.destruction).sort(byTime) : [];
}

/** The kinds of clock a contract puts in the inbox (DESIGN §3.9). */
export const CONTRACT_CLOCK_KINDS = ['term-end', 'grace-end', 'return-window-end', 'destruction-deadline'] as const;

/**
 * The events that may change `openClocks`: the deadlines read model handles these and no others
 * (a property test holds every other event to leaving the clocks alone).
 */
export const CONTRACT_CLOCK_EVENTS: ReadonlySet<ContractEvent['type']> = new Set([
  'CredentialsHandedOver',
  'RenewalAccepted',
  'ContractExpired',
  'ContractTerminated',
  'ContractCancelled',
  'DestructionScheduled',
  'DestructionStarted',
  'DestructionCompleted',
]);

/**
 * The contract's open clocks for the inbox (DESIGN §3.9): each stays open until what it asks for
 * is done, not until its instant passes, so a passed one shows as overdue rather than vanishing.
 * The term end (or the grace period's end) until the contract is renewed or ends; a return
 * window until destruction starts (L9); the destruction deadline until the certificate (L8, L11).
 */
export function openClocks(state: ContractState): Deadline[] {
  if (state.status === 'active') return upcomingDeadlines(state);
  if (!hasDestructionPlan(state) || state.destruction.status === 'completed') return [];
  const d = state.destruction;
  const clocks: Deadline[] = [];
  // A contract without a return window (the default) has no such clock to show.
  if (d.status === 'scheduled' && compareInstants(d.returnWindowEndsAt, state.endedAt) > 0) clocks.push({ kind: 'return-window-end', at: d.returnWindowEndsAt });
  clocks.push({ kind: 'destruction-deadline', at: d.deadline });
  return clocks;
}

/**
 * The next timer the workflow must wait for, with the command to issue when it fires; `null`
 * when the contract only waits for signals. L5: with a grace period, expiry fires at its end.
 */
export function nextTimer(state: ContractState): Timer | null {
  if (state.status === 'active') {
    const at = addDuration(state.termEnd, state.renewalGracePeriod);
    const kind = state.renewalGracePeriod === null ? 'term-end' : 'grace-end';
    return { kind, at, command: (actedAt) => ({ type: 'ExpireContract', data: { actedAt } }) };
  }
  if (!hasDestructionPlan(state)) return null;
  const d = state.destruction;
  const timers: Timer[] = [];
  // L9: an unserved export holds destruction back; once all are served it may start at once.
  if (d.status === 'scheduled' && unservedExports(d).length === 0) {
    timers.push({ kind: 'return-window-end', at: destructionStartDue(d), command: (actedAt) => ({ type: 'StartDestruction', data: { actedAt } }) });
  }
  if (d.escalatedAt === null) {
    timers.push({ kind: 'escalation', at: d.escalationAt, command: (actedAt) => ({ type: 'EscalateDestruction', data: { actedAt } }) });
  }
  if (d.deadlineMissedAt === null) {
    timers.push({ kind: 'destruction-deadline', at: d.deadline, command: (actedAt) => ({ type: 'MarkDeadlineMissed', data: { actedAt } }) });
  }
  return timers.sort(byTime)[0] ?? null;
}
