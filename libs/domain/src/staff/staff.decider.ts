import { addDuration, isAfter, isBefore, maxLengthMs, parseDuration, type Instant, type IsoDuration } from '../calendar';
import { requireEmail, requireInstant, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import { remindThenEscalate, type Acted } from '../kit/clock';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';

/** DESIGN §3.4 (P3, P4): a data-protection training is valid this long unless said otherwise. */
export const DEFAULT_TRAINING_VALIDITY: IsoDuration = 'P1Y';
export const MAX_TRAINING_VALIDITY: IsoDuration = 'P5Y';
/** Account management is reminded this long before a training lapses. */
export const TRAINING_REMINDER_LEAD: IsoDuration = 'P30D';
const SKEW: IsoDuration = 'PT5M';

export interface Training {
  readonly completedAt: Instant;
  readonly course: string;
  readonly validFor: IsoDuration;
  readonly validUntil: Instant;
}

export interface Assignment {
  readonly contractId: string;
  readonly from: Instant;
  readonly until: Instant | null;
}

export type StaffCommand =
  | { readonly type: 'RegisterStaff'; readonly data: { readonly staffId: string; readonly name: unknown; readonly email: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'SignConfidentiality'; readonly data: { readonly signedAt: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RecordTraining'; readonly data: { readonly completedAt: unknown; readonly course: unknown; readonly validFor: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'AuthorisePerson'; readonly data: { readonly contractId: string; readonly recordedAt: Instant } }
  | { readonly type: 'RevokeAuthorisation'; readonly data: { readonly contractId: string; readonly recordedAt: Instant } }
  | { readonly type: 'RemindTraining'; readonly data: Acted }
  | { readonly type: 'MarkTrainingLapsed'; readonly data: Acted };

export type StaffEvent =
  | { readonly type: 'StaffRegistered'; readonly data: { readonly staffId: string; readonly name: string; readonly email: string; readonly recordedAt: Instant } }
  | { readonly type: 'ConfidentialitySigned'; readonly data: { readonly signedAt: Instant; readonly recordedAt: Instant } }
  | { readonly type: 'TrainingRecorded'; readonly data: Training & { readonly recordedAt: Instant } }
  | { readonly type: 'PersonAuthorised'; readonly data: { readonly contractId: string; readonly recordedAt: Instant } }
  | { readonly type: 'AuthorisationRevoked'; readonly data: { readonly contractId: string; readonly recordedAt: Instant } }
  | { readonly type: 'TrainingLapseReminded'; readonly data: Acted }
  | { readonly type: 'TrainingLapsed'; readonly data: Acted & { readonly contracts: readonly string[] } };

export type StaffState =
  | { readonly status: 'none' }
  | {
      readonly status: 'registered';
      readonly staffId: string;
      readonly name: string;
      readonly email: string;
      readonly registeredAt: Instant;
      readonly confidentialitySignedAt: Instant | null;
      readonly trainings: readonly Training[];
      /** The latest validity of any training: the person is cleared until then. */
      readonly trainingValidUntil: Instant | null;
      readonly assignments: readonly Assignment[];
      readonly reminded: Acted | null;
      /** The lapse recorded, with the contracts the person was on then (its email names them). */
      readonly lapsed: (Acted & { readonly contracts?: readonly string[] }) | null;
    };

type Registered = Extract<StaffState, { status: 'registered' }>;

function registered(state: StaffState): Registered {
  if (state.status === 'none') throw notFoundError('staff.not_found', 'no such person on the roster');
  return state;
}

export const currentContracts = (s: Registered): string[] => s.assignments.filter((a) => a.until === null).map((a) => a.contractId);

/** Why a person may not be authorised at `at` (P3, P4): both a confidentiality undertaking and a training valid then. */
export function clearanceGaps(s: Registered, at: Instant): ('no_confidentiality' | 'no_training' | 'training_lapsed')[] {
  const gaps: ('no_confidentiality' | 'no_training' | 'training_lapsed')[] = [];
  if (s.confidentialitySignedAt === null) gaps.push('no_confidentiality');
  if (s.trainingValidUntil === null) gaps.push('no_training');
  else if (!isAfter(s.trainingValidUntil, at)) gaps.push('training_lapsed');
  return gaps;
}

function notInFuture(at: Instant, recordedAt: Instant, field: string): void {
  if (isAfter(at, addDuration(recordedAt, SKEW))) throw ruleError('staff.in_future', `${field} lies more than ${SKEW} after the engine's clock`, { field });
}

function readValidity(value: unknown): IsoDuration {
  if (value === undefined || value === null) return DEFAULT_TRAINING_VALIDITY;
  let validFor: IsoDuration;
  try {
    validFor = parseDuration(value as string);
  } catch {
    throw validationError('calendar.invalid_duration', 'validFor must be an ISO-8601 duration such as P1Y', { field: 'validFor' });
  }
  if (maxLengthMs(validFor) > maxLengthMs(MAX_TRAINING_VALIDITY)) throw ruleError('staff.validity_too_long', `validFor ${validFor} is longer than ${MAX_TRAINING_VALIDITY}`, { field: 'validFor', limit: MAX_TRAINING_VALIDITY });
  return validFor;
}

export function decide(command: StaffCommand, state: StaffState): StaffEvent[] {
  switch (command.type) {
    case 'RegisterStaff': {
      const d = command.data;
      const data = { staffId: d.staffId, name: requireText(d.name, 'name', FIELDS.controllerName), email: requireEmail(d.email, 'email'), recordedAt: d.recordedAt };
      if (state.status !== 'none') {
        if (state.name === data.name && state.email === data.email) return [];
        throw conflictError('staff.exists', 'a person with this id is on the roster with other data');
      }
      return [{ type: 'StaffRegistered', data }];
    }
    case 'SignConfidentiality': {
      const signedAt = requireInstant(command.data.signedAt, 'signedAt');
      const s = registered(state);
      if (s.confidentialitySignedAt === signedAt) return [];
      notInFuture(signedAt, command.data.recordedAt, 'signedAt');
      return [{ type: 'ConfidentialitySigned', data: { signedAt, recordedAt: command.data.recordedAt } }];
    }
    case 'RecordTraining': {
      const d = command.data;
      const completedAt = requireInstant(d.completedAt, 'completedAt');
      const course = requireText(d.course, 'course', FIELDS.controllerName);
      const validFor = readValidity(d.validFor);
      const s = registered(state);
      if (s.trainings.some((t) => t.completedAt === completedAt && t.course === course && t.validFor === validFor)) return [];
      notInFuture(completedAt, d.recordedAt, 'completedAt');
      return [{ type: 'TrainingRecorded', data: { completedAt, course, validFor, validUntil: addDuration(completedAt, validFor), recordedAt: d.recordedAt } }];
    }
    case 'AuthorisePerson': {
      const s = registered(state);
      if (currentContracts(s).includes(command.data.contractId)) return [];
      const gaps = clearanceGaps(s, command.data.recordedAt);
      if (gaps.length > 0) {
        throw ruleError('roster.not_cleared', `a person is authorised on a contract only with a signed confidentiality undertaking and a valid data-protection training (P3, P4); missing: ${gaps.join(', ')}`, { gaps });
      }
      return [{ type: 'PersonAuthorised', data: command.data }];
    }
    case 'RevokeAuthorisation': {
      const s = registered(state);
      if (!currentContracts(s).includes(command.data.contractId)) {
        if (s.assignments.some((a) => a.contractId === command.data.contractId)) return [];
        throw notFoundError('roster.not_authorised', 'this person is not authorised on this contract');
      }
      return [{ type: 'AuthorisationRevoked', data: command.data }];
    }
    case 'RemindTraining':
    case 'MarkTrainingLapsed': {
      const s = registered(state);
      // A reminder that finds the training lapsed already (recorded late, or the engine down across both instants) records the lapse instead.
      const lapse = command.type === 'MarkTrainingLapsed' || !isBefore(command.data.actedAt, command.data.dueAt);
      const done = lapse ? s.lapsed : s.reminded;
      if (s.trainingValidUntil !== command.data.dueAt || done?.dueAt === command.data.dueAt) return [];
      return lapse ? [{ type: 'TrainingLapsed', data: { dueAt: command.data.dueAt, actedAt: command.data.actedAt, contracts: currentContracts(s) } }] : [{ type: 'TrainingLapseReminded', data: command.data }];
    }
  }
}

export function evolve(state: StaffState, event: StaffEvent): StaffState {
  if (event.type === 'StaffRegistered') {
    const { recordedAt, ...person } = event.data;
    return { status: 'registered', ...person, registeredAt: recordedAt, confidentialitySignedAt: null, trainings: [], trainingValidUntil: null, assignments: [], reminded: null, lapsed: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'ConfidentialitySigned':
      return { ...state, confidentialitySignedAt: event.data.signedAt };
    case 'TrainingRecorded': {
      const { recordedAt: _, ...training } = event.data;
      const until = state.trainingValidUntil;
      return { ...state, trainings: [...state.trainings, training], trainingValidUntil: until === null || isAfter(training.validUntil, until) ? training.validUntil : until };
    }
    case 'PersonAuthorised':
      return { ...state, assignments: [...state.assignments, { contractId: event.data.contractId, from: event.data.recordedAt, until: null }] };
    case 'AuthorisationRevoked':
      return { ...state, assignments: state.assignments.map((a) => (a.contractId === event.data.contractId && a.until === null ? { ...a, until: event.data.recordedAt } : a)) };
    case 'TrainingLapseReminded':
      return { ...state, reminded: event.data };
    case 'TrainingLapsed':
      return { ...state, lapsed: { dueAt: event.data.dueAt, actedAt: event.data.actedAt, contracts: event.data.contracts } };
  }
}

export const initialState = (): StaffState => ({ status: 'none' });

export const STAFF_TIMERS = { reminder: 'training-lapse-reminder', escalation: 'training-lapse' } as const;

/** Reminded TRAINING_REMINDER_LEAD before the training lapses; at the lapse, the gap is recorded (with the contracts it opens on). */
export function nextTimer(state: StaffState): Timer<StaffCommand> | null {
  if (state.status === 'none' || state.trainingValidUntil === null) return null;
  return remindThenEscalate<StaffCommand>(
    { dueAt: state.trainingValidUntil, lead: TRAINING_REMINDER_LEAD, openedAt: state.registeredAt, reminded: state.reminded, escalated: state.lapsed },
    (data) => ({ type: 'RemindTraining', data }),
    (data) => ({ type: 'MarkTrainingLapsed', data }),
    STAFF_TIMERS,
  );
}

export const STAFF_CLOCK_KINDS = ['training-lapse'] as const;
/** The inbox: a training's lapse until it comes, and after it while the person is still on a contract (the gap). */
export function staffClocks(state: StaffState): { kind: (typeof STAFF_CLOCK_KINDS)[number]; at: Instant }[] {
  if (state.status === 'none' || state.trainingValidUntil === null) return [];
  const lapsed = state.lapsed?.dueAt === state.trainingValidUntil;
  return !lapsed || currentContracts(state).length > 0 ? [{ kind: 'training-lapse', at: state.trainingValidUntil }] : [];
}
export const STAFF_CLOCK_EVENTS: ReadonlySet<string> = new Set(['TrainingRecorded', 'TrainingLapsed', 'PersonAuthorised', 'AuthorisationRevoked']);

const baseStream: StreamType<StaffCommand, StaffEvent, StaffState> = {
  name: 'staff',
  decide,
  evolve,
  initialState,
  eventVersions: { StaffRegistered: 1, ConfidentialitySigned: 1, TrainingRecorded: 1, PersonAuthorised: 1, AuthorisationRevoked: 1, TrainingLapseReminded: 1, TrainingLapsed: 1 },
  occurredAt: (event) => (event.type === 'TrainingLapseReminded' || event.type === 'TrainingLapsed' ? event.data.actedAt : event.data.recordedAt),
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as StaffEvent,
  nextTimer,
  // A person stays on the roster: their record is the evidence of who had access, and when.
  isFinal: () => false,
};

/** A person on the processor's roster (P3, P4; DESIGN §3.4): one stream per person, processor-wide, with their authorisations. */
export const staffStream = withEmailReceipts(baseStream);

export interface StaffView {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly registeredAt: Instant;
  readonly confidentialitySignedAt: Instant | null;
  readonly trainings: readonly Training[];
  readonly trainingValidUntil: Instant | null;
  readonly cleared: boolean;
  readonly gaps: string[];
  readonly contracts: string[];
  readonly overdue: string[];
}

export function toStaffView(state: StaffState, at: Instant): StaffView {
  const s = registered(state);
  const gaps = clearanceGaps(s, at);
  return {
    id: s.staffId,
    name: s.name,
    email: s.email,
    registeredAt: s.registeredAt,
    confidentialitySignedAt: s.confidentialitySignedAt,
    trainings: s.trainings,
    trainingValidUntil: s.trainingValidUntil,
    cleared: gaps.length === 0,
    gaps,
    contracts: currentContracts(s),
    overdue: gaps.includes('training_lapsed') && currentContracts(s).length > 0 ? ['trainingValidUntil'] : [],
  };
}

/** A person as one contract's list of authorised persons shows them: since when, until when, and any gap in their clearance now. */
export interface AuthorisedPersonView {
  readonly staffId: string;
  readonly name: string;
  readonly authorisedFrom: Instant;
  readonly authorisedUntil: Instant | null;
  readonly confidentialitySignedAt: Instant | null;
  readonly trainingValidUntil: Instant | null;
  readonly cleared: boolean;
  readonly gaps: string[];
}

export function authorisationsOn(state: StaffState, contractId: string, at: Instant): AuthorisedPersonView[] {
  const s = registered(state);
  const gaps = clearanceGaps(s, at);
  return s.assignments
    .filter((a) => a.contractId === contractId)
    .map((a) => ({
      staffId: s.staffId,
      name: s.name,
      authorisedFrom: a.from,
      authorisedUntil: a.until,
      confidentialitySignedAt: s.confidentialitySignedAt,
      trainingValidUntil: s.trainingValidUntil,
      // A past authorisation shows no gap now: it ended.
      cleared: a.until !== null || gaps.length === 0,
      gaps: a.until === null ? gaps : [],
    }));
}
