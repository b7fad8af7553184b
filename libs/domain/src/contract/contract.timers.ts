import { addDuration, compareInstants, maxInstant, type Instant } from '../calendar';
import type { ContractCommand } from './contract.commands';
import { hasDestructionPlan, unservedExports, type ContractState, type PlannedDestruction } from './contract.state';

export type DeadlineKind = 'term-end' | 'grace-end' | 'return-window-end' | 'escalation' | 'destruction-deadline';

export interface Deadline {
  readonly kind: DeadlineKind;
  readonly at: Instant;
}

export interface Timer extends Deadline {
  /** What the workflow issues when the timer fires. */
  readonly command: ContractCommand;
}

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

/**
 * The next timer the workflow must wait for, with the command to issue when it fires; `null`
 * when the contract only waits for signals. L5: with a grace period, expiry fires at its end.
 */
export function nextTimer(state: ContractState): Timer | null {
  if (state.status === 'active') {
    const at = addDuration(state.termEnd, state.renewalGracePeriod);
    const kind = state.renewalGracePeriod === null ? 'term-end' : 'grace-end';
    return { kind, at, command: { type: 'ExpireContract', data: { at } } };
  }
  if (!hasDestructionPlan(state)) return null;
  const d = state.destruction;
  const timers: Timer[] = [];
  // L9: an unserved export holds destruction back; once all are served it may start at once.
  if (d.status === 'scheduled' && unservedExports(d).length === 0) {
    const servedAts = d.exportRequests.map((r) => r.servedAt).filter((at): at is Instant => at !== null);
    const at = maxInstant(d.returnWindowEndsAt, ...servedAts);
    timers.push({ kind: 'return-window-end', at, command: { type: 'StartDestruction', data: { startedAt: at } } });
  }
  if (d.escalatedAt === null) {
    timers.push({ kind: 'escalation', at: d.escalationAt, command: { type: 'EscalateDestruction', data: { at: d.escalationAt } } });
  }
  if (d.deadlineMissedAt === null) {
    timers.push({ kind: 'destruction-deadline', at: d.deadline, command: { type: 'MarkDeadlineMissed', data: { at: d.deadline } } });
  }
  return timers.sort(byTime)[0] ?? null;
}
