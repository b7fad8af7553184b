import { addDuration, destructionDeadline, isAfter, isBefore, maxInstant, parseOptionalDuration, subtractDuration, type Instant } from '../calendar';
import { isLate } from '../kit/clock';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import type {
  CompleteDestruction,
  DestructionEvidence,
  EscalateDestruction,
  MarkDeadlineMissed,
  RecordLocationDestroyed,
  RecordLocationDestructionFailed,
  ScheduleDestruction,
  StartDestruction,
} from './contract.commands';
import type { ContractEvent } from './contract.events';
import { allowed, guards } from './contract.guards';
import { heldLocations, isDestroyedLocation, pendingLocationIds, plannedDestruction, type OpenContract, type PlannedDestruction } from './contract.state';
import { requireCount, requireInstant, requireObject, requireText } from './contract.validation';

/** L11: escalate this long before the deadline unless the contract says otherwise. */
export const DEFAULT_ESCALATION_MARGIN = 'P7D';

/**
 * P11/L8: deadline = end + P2M. L9: destruction waits for the return window.
 * L10: every storage location of the contract's catalog is destroyed on its own.
 */
export function scheduleDestruction(cmd: ScheduleDestruction, state: OpenContract): ContractEvent[] {
  const scheduledAt = requireInstant(cmd.data.scheduledAt, 'scheduledAt');
  const escalationMargin = parseOptionalDuration(cmd.data.escalationMargin);
  const s = allowed(guards.ScheduleDestruction(state));
  if (isBefore(scheduledAt, s.endedAt)) {
    throw ruleError('destruction.scheduled_before_end', `scheduling at ${scheduledAt} precedes the end of processing at ${s.endedAt}`);
  }
  const deadline = destructionDeadline(s.endedAt);
  const escalationAt = subtractDuration(deadline, escalationMargin);
  if (!isAfter(escalationAt, s.endedAt)) {
    throw ruleError('destruction.escalation_margin_too_long', `an escalation margin of ${escalationMargin} before ${deadline} falls before the end of processing`, {
      escalationMargin,
      deadline,
    });
  }
  // DESIGN §3.8: the current set and every location that ever held the data.
  const locations = heldLocations(s).map(({ id, name }) => ({ id, name }));
  return [
    {
      type: 'DestructionScheduled',
      data: {
        scheduledAt,
        endedAt: s.endedAt,
        deadline,
        returnWindowEndsAt: addDuration(s.endedAt, s.returnWindow),
        escalationMargin,
        escalationAt,
        locations,
      },
    },
  ];
}

/** L9: destruction may start at the end of the return window, or once the last export is served if later. */
export function destructionStartDue(d: PlannedDestruction): Instant {
  const servedAts = d.exportRequests.map((r) => r.servedAt).filter((at): at is Instant => at !== null);
  return maxInstant(d.returnWindowEndsAt, ...servedAts);
}

/** L9: destruction starts once the return window is over and every export is served. */
export function startDestruction(cmd: StartDestruction, state: OpenContract): ContractEvent[] {
  const actedAt = requireInstant(cmd.data.actedAt, 'actedAt');
  const s = allowed(guards.StartDestruction(state));
  if (isBefore(actedAt, s.destruction.returnWindowEndsAt)) {
    throw ruleError('destruction.return_window_open', `the return window is open until ${s.destruction.returnWindowEndsAt} (L9)`, {
      returnWindowEndsAt: s.destruction.returnWindowEndsAt,
    });
  }
  return [{ type: 'DestructionStarted', data: { dueAt: destructionStartDue(s.destruction), actedAt } }];
}

function knownLocation(d: PlannedDestruction, locationId: string) {
  const location = d.locations.find((l) => l.id === locationId);
  if (location === undefined) {
    throw notFoundError('destruction.unknown_location', `the contract's data is not stored at ${locationId}`, { locationId });
  }
  return location;
}

function evidenceOf(value: unknown): DestructionEvidence {
  const e = requireObject(value, 'evidence');
  const evidence = {
    objectCount: requireCount(e['objectCount'], 'evidence.objectCount'),
    bytes: requireCount(e['bytes'], 'evidence.bytes'),
    manifestHash: requireText(e['manifestHash'], 'evidence.manifestHash', 200),
    method: requireText(e['method'], 'evidence.method', 100),
    inventoriedAt: requireInstant(e['inventoriedAt'], 'evidence.inventoriedAt'),
    verifiedAt: requireInstant(e['verifiedAt'], 'evidence.verifiedAt'),
  };
  if (isBefore(evidence.verifiedAt, evidence.inventoriedAt)) {
    throw validationError('evidence.verified_before_inventory', 'evidence.verifiedAt precedes evidence.inventoriedAt', { field: 'evidence.verifiedAt' });
  }
  return evidence;
}

/** L10: each location is destroyed, verified and evidenced on its own. */
export function recordLocationDestroyed(cmd: RecordLocationDestroyed, state: OpenContract): ContractEvent[] {
  const locationId = requireText(cmd.data.locationId, 'locationId', 100);
  const destroyedAt = requireInstant(cmd.data.destroyedAt, 'destroyedAt');
  const evidence = evidenceOf(cmd.data.evidence);
  const plan = plannedDestruction(state);
  if (plan?.locations.some((l) => l.id === locationId && l.status === 'destroyed')) return [];
  const s = allowed(guards.RecordLocationDestroyed(state));
  knownLocation(s.destruction, locationId);
  return [{ type: 'LocationDestroyed', data: { locationId, destroyedAt, evidence } }];
}

/** L11: a failed attempt is recorded; destruction keeps trying. */
export function recordLocationDestructionFailed(cmd: RecordLocationDestructionFailed, state: OpenContract): ContractEvent[] {
  const locationId = requireText(cmd.data.locationId, 'locationId', 100);
  const failedAt = requireInstant(cmd.data.failedAt, 'failedAt');
  const attempt = requireCount(cmd.data.attempt, 'attempt', 1);
  const reason = requireText(cmd.data.reason, 'reason', 200);
  const s = allowed(guards.RecordLocationDestructionFailed(state));
  if (knownLocation(s.destruction, locationId).status === 'destroyed') {
    throw conflictError('destruction.location_already_destroyed', `${locationId} is already destroyed`, { locationId });
  }
  return [{ type: 'LocationDestructionFailed', data: { locationId, failedAt, attempt, reason } }];
}

/** L10: once every location is destroyed the engine issues the destruction certificate. */
export function completeDestruction(cmd: CompleteDestruction, state: OpenContract): ContractEvent[] {
  const completedAt = requireInstant(cmd.data.completedAt, 'completedAt');
  const certificateId = requireText(cmd.data.certificateId, 'certificateId', 100);
  const s = allowed(guards.CompleteDestruction(state));
  const d = s.destruction;
  const certified = d.locations.filter(isDestroyedLocation).map(({ id, name, destroyedAt, evidence }) => ({ id, name, destroyedAt, evidence }));
  return [
    {
      type: 'DestructionCompleted',
      data: {
        completedAt,
        certificate: {
          certificateId,
          contractId: s.contractId,
          reference: s.reference,
          endedAt: s.endedAt,
          endKind: s.endKind,
          endReason: s.endReason,
          deadline: d.deadline,
          completedAt,
          locations: certified,
          withinDeadline: !isLate(d.deadline, completedAt),
        },
      },
    },
  ];
}

/** L11: a safety margin before the deadline, an unfinished destruction is escalated once. */
export function escalateDestruction(cmd: EscalateDestruction, state: OpenContract): ContractEvent[] {
  const actedAt = requireInstant(cmd.data.actedAt, 'actedAt');
  if (plannedDestruction(state)?.escalatedAt) return [];
  const s = allowed(guards.EscalateDestruction(state));
  const dueAt = s.destruction.escalationAt;
  if (isBefore(actedAt, dueAt)) {
    throw ruleError('escalation.too_early', `escalation is due at ${dueAt}`, { escalationAt: dueAt });
  }
  return [{ type: 'DestructionEscalated', data: { dueAt, actedAt, deadline: s.destruction.deadline, pendingLocations: pendingLocationIds(s.destruction) } }];
}

/** L11, P11: a passed deadline is made visible once; destruction keeps trying. */
export function markDeadlineMissed(cmd: MarkDeadlineMissed, state: OpenContract): ContractEvent[] {
  const actedAt = requireInstant(cmd.data.actedAt, 'actedAt');
  if (plannedDestruction(state)?.deadlineMissedAt) return [];
  const s = allowed(guards.MarkDeadlineMissed(state));
  const dueAt = s.destruction.deadline;
  if (isBefore(actedAt, dueAt)) {
    throw ruleError('deadline.not_reached', `the destruction deadline is ${dueAt}`, { deadline: dueAt });
  }
  return [{ type: 'DestructionDeadlineMissed', data: { dueAt, actedAt, deadline: dueAt, pendingLocations: pendingLocationIds(s.destruction) } }];
}
