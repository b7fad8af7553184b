import { addDuration, isAfter, isBefore, maxInstant, parseDuration, subtractDuration, type Instant } from '../calendar';
import { isLate, isOverdue } from '../kit/clock';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';
import { optionalText, requireInstant, requireText } from '../contract/contract.validation';
import {
  ASSISTANCE_REMINDER_LEAD,
  MAX_EXTENSION_MONTHS,
  RECEIPT_SKEW,
  RECEIVERS,
  SUBJECT_REQUEST_OUTCOMES,
  SUBJECT_REQUEST_PERIOD,
  SUBJECT_REQUEST_TYPES,
  type OpenedSubjectRequest,
  type SubjectRequestCommand,
  type SubjectRequestEvent,
  type SubjectRequestOutcome,
  type SubjectRequestState,
} from './subject-request.model';

/** The controller's deadline as it stands: the extension's when there is one (12(3)). */
export const effectiveDeadline = (s: OpenedSubjectRequest): Instant => s.extension?.extendedTo ?? s.deadline;

/** The processor's own target: the deadline less the margin, never before receipt (DESIGN §3.2). */
export const assistanceDue = (s: OpenedSubjectRequest): Instant => maxInstant(s.receivedAt, subtractDuration(effectiveDeadline(s), s.assistanceMargin));

/** Account management is reminded ASSISTANCE_REMINDER_LEAD before the target. */
export const reminderDue = (s: OpenedSubjectRequest): Instant => maxInstant(s.receivedAt, subtractDuration(assistanceDue(s), ASSISTANCE_REMINDER_LEAD));

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string, code: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw validationError(code, `${field} must be one of ${allowed.join(', ')}`, { field, allowed: [...allowed] });
  return value as T;
}

function opened(state: SubjectRequestState): OpenedSubjectRequest {
  if (state.status === 'none') throw notFoundError('subject_request.not_found', 'no such subject request');
  return state;
}

function stillOpen(state: SubjectRequestState): OpenedSubjectRequest & { status: 'open' } {
  const s = opened(state);
  if (s.status !== 'open') throw conflictError('subject_request.completed', 'the request is completed', { status: s.status });
  return s as OpenedSubjectRequest & { status: 'open' };
}

/**
 * A reference that is 9 to 15 digits once its separators are taken out is taken for a phone number
 * (E.164 allows 15), and refused: the engine keeps no data subject's personal data (DESIGN §3.2). An
 * email address cannot be typed at all (the reference's pattern has no @). Shorter numbers pass, as
 * ticket numbers are.
 */
export const looksLikePhoneNumber = (reference: string): boolean => /^(00)?\d{9,15}$/.test(reference.replace(/[\s./()-]/g, ''));

export function decide(command: SubjectRequestCommand, state: SubjectRequestState): SubjectRequestEvent[] {
  switch (command.type) {
    case 'OpenSubjectRequest': {
      const d = command.data;
      const requestType = oneOf(d.requestType, SUBJECT_REQUEST_TYPES, 'type', 'subject_request.invalid_type');
      const receivedBy = oneOf(d.receivedBy, RECEIVERS, 'receivedBy', 'subject_request.invalid_receiver');
      const reference = requireText(d.reference, 'reference', FIELDS.subjectRequestReference);
      if (looksLikePhoneNumber(reference)) {
        throw ruleError('subject_request.personal_reference', 'reference looks like a phone number: give your own ticket reference, never a way to reach the person', { field: 'reference' });
      }
      const receivedAt = requireInstant(d.receivedAt, 'receivedAt');
      if (isBefore(receivedAt, d.contractOrderedAt)) {
        throw ruleError('subject_request.received_before_order', `receivedAt precedes the contract's order ${d.contractOrderedAt}`, { orderedAt: d.contractOrderedAt });
      }
      if (isAfter(receivedAt, addDuration(d.openedAt, RECEIPT_SKEW))) {
        throw ruleError('subject_request.received_in_future', `receivedAt lies more than ${RECEIPT_SKEW} after the engine's clock`, { skew: RECEIPT_SKEW });
      }
      const data = {
        requestId: d.requestId,
        contractId: d.contractId,
        requestType,
        receivedAt,
        receivedBy,
        reference,
        deadline: addDuration(receivedAt, SUBJECT_REQUEST_PERIOD),
        assistanceMargin: parseDuration(d.assistanceMargin),
        openedAt: d.openedAt,
      };
      if (state.status !== 'none') {
        // The same request again (a retried creation): nothing new. Anything else is another request.
        const same = state.requestId === data.requestId && state.contractId === data.contractId && state.requestType === requestType && state.receivedAt === receivedAt && state.receivedBy === receivedBy && state.reference === reference;
        if (same) return [];
        throw conflictError('subject_request.exists', 'a subject request with this id exists with other data');
      }
      return [{ type: 'SubjectRequestOpened', data }];
    }
    case 'ForwardSubjectRequest': {
      const s = opened(state);
      if (s.receivedBy !== 'processor') throw conflictError('subject_request.not_received_by_processor', 'only a request the processor received is passed on to the controller');
      if (s.forwardedAt !== null) return [];
      return [{ type: 'SubjectRequestForwarded', data: { forwardedAt: command.data.forwardedAt } }];
    }
    case 'ExtendSubjectRequest': {
      const s = stillOpen(state);
      const { months, extendedAt } = command.data;
      if (typeof months !== 'number' || !Number.isInteger(months) || months < 1 || months > MAX_EXTENSION_MONTHS) {
        throw validationError('subject_request.invalid_extension', `months must be 1 or ${MAX_EXTENSION_MONTHS}`, { field: 'months' });
      }
      const reason = requireText(command.data.reason, 'reason', FIELDS.reason);
      if (s.extension !== null) throw conflictError('subject_request.already_extended', 'the deadline was extended once already (12(3) allows one extension)');
      // 12(3): the person is told of the extension within the first month.
      if (!isAfter(s.deadline, extendedAt)) throw ruleError('subject_request.extension_too_late', `an extension must be decided before the first deadline ${s.deadline}`, { deadline: s.deadline });
      return [{ type: 'SubjectRequestExtended', data: { months, reason, extendedTo: addDuration(s.receivedAt, SUBJECT_REQUEST_PERIOD, 1 + months), extendedAt } }];
    }
    case 'RemindAssistance':
    case 'EscalateAssistance': {
      const s = opened(state);
      // A clock the file no longer has (completed, or the target moved) acts on nothing.
      if (s.status !== 'open' || command.data.dueAt !== assistanceDue(s)) return [];
      const done = command.type === 'RemindAssistance' ? s.reminded : s.escalated;
      if (done?.dueAt === command.data.dueAt) return [];
      return [{ type: command.type === 'RemindAssistance' ? 'AssistanceReminded' : 'AssistanceEscalated', data: { dueAt: command.data.dueAt, actedAt: command.data.actedAt } }];
    }
    case 'CompleteSubjectRequest': {
      const s = opened(state);
      const outcome = oneOf(command.data.outcome, SUBJECT_REQUEST_OUTCOMES, 'outcome', 'subject_request.invalid_outcome');
      const reason = optionalText(command.data.reason, 'reason', FIELDS.reason);
      if (outcome !== 'fulfilled' && reason === null) throw validationError('subject_request.reason_required', `an outcome of ${outcome} needs a reason (12(4))`, { field: 'reason' });
      if (s.status === 'completed') {
        if (s.completion?.outcome === outcome && s.completion.reason === reason) return [];
        throw conflictError('subject_request.completed', 'the request is completed', { status: s.status });
      }
      const { completedAt } = command.data;
      return [{ type: 'SubjectRequestCompleted', data: { outcome, reason, completedAt, late: isLate(effectiveDeadline(s), completedAt) } }];
    }
  }
}

export function evolve(state: SubjectRequestState, event: SubjectRequestEvent): SubjectRequestState {
  if (event.type === 'SubjectRequestOpened') {
    return { status: 'open', ...event.data, extension: null, forwardedAt: null, reminded: null, escalated: null, completion: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'SubjectRequestForwarded':
      return { ...state, forwardedAt: event.data.forwardedAt };
    case 'SubjectRequestExtended':
      return { ...state, extension: event.data };
    case 'AssistanceReminded':
      return { ...state, reminded: event.data };
    case 'AssistanceEscalated':
      return { ...state, escalated: event.data };
    case 'SubjectRequestCompleted':
      return { ...state, status: 'completed', completion: event.data };
  }
}

export const initialState = (): SubjectRequestState => ({ status: 'none' });

/**
 * A request the processor received is passed on at once (its email follows the fact); then the
 * assistance target's reminder, then its escalation, each once per target.
 */
export function nextTimer(state: SubjectRequestState): Timer<SubjectRequestCommand> | null {
  if (state.status !== 'open') return null;
  if (state.receivedBy === 'processor' && state.forwardedAt === null) return { kind: 'subject-request-forward', at: state.openedAt, command: (forwardedAt) => ({ type: 'ForwardSubjectRequest', data: { forwardedAt } }) };
  const dueAt = assistanceDue(state);
  if (state.reminded?.dueAt !== dueAt) return { kind: 'assistance-reminder', at: reminderDue(state), command: (actedAt) => ({ type: 'RemindAssistance', data: { dueAt, actedAt } }) };
  if (state.escalated?.dueAt !== dueAt) return { kind: 'assistance-escalation', at: dueAt, command: (actedAt) => ({ type: 'EscalateAssistance', data: { dueAt, actedAt } }) };
  return null;
}

export const SUBJECT_REQUEST_CLOCK_KINDS = ['subject-request-assistance', 'subject-request-deadline'] as const;

/** The request's open clocks for the inbox (DESIGN §3.9): its assistance target and the controller's deadline. */
export function subjectRequestClocks(state: SubjectRequestState): { kind: (typeof SUBJECT_REQUEST_CLOCK_KINDS)[number]; at: Instant }[] {
  if (state.status !== 'open') return [];
  return [
    { kind: 'subject-request-assistance', at: assistanceDue(state) },
    { kind: 'subject-request-deadline', at: effectiveDeadline(state) },
  ];
}

/** The events that may move those clocks. */
export const SUBJECT_REQUEST_CLOCK_EVENTS: ReadonlySet<string> = new Set(['SubjectRequestOpened', 'SubjectRequestExtended', 'SubjectRequestCompleted']);

const EVENT_VERSIONS: Readonly<Record<SubjectRequestEvent['type'], number>> = {
  SubjectRequestOpened: 1,
  SubjectRequestForwarded: 1,
  SubjectRequestExtended: 1,
  AssistanceReminded: 1,
  AssistanceEscalated: 1,
  SubjectRequestCompleted: 1,
};

function occurredAt(event: SubjectRequestEvent): Instant {
  switch (event.type) {
    case 'SubjectRequestOpened':
      return event.data.openedAt;
    case 'SubjectRequestForwarded':
      return event.data.forwardedAt;
    case 'SubjectRequestExtended':
      return event.data.extendedAt;
    case 'AssistanceReminded':
    case 'AssistanceEscalated':
      return event.data.actedAt;
    case 'SubjectRequestCompleted':
      return event.data.completedAt;
  }
}

/** The subject-request file's stream (DESIGN §3.2): one per request, under its contract. */
const baseStream: StreamType<SubjectRequestCommand, SubjectRequestEvent, SubjectRequestState> = {
  name: 'subject-request',
  decide,
  evolve,
  initialState,
  eventVersions: EVENT_VERSIONS,
  occurredAt,
  // Every event is at its first schema version.
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as SubjectRequestEvent,
  nextTimer,
  isFinal: (state) => state.status === 'completed',
};

/** …with the receipts of its emails in its trail. */
export const subjectRequestStream = withEmailReceipts(baseStream);

/** DESIGN §6: a request as the API shows it, with its clocks and what is overdue at `at`. */
export interface SubjectRequestView {
  readonly id: string;
  readonly contractId: string;
  readonly status: 'open' | 'completed';
  readonly type: string;
  readonly receivedAt: Instant;
  readonly receivedBy: string;
  readonly reference: string;
  readonly deadline: Instant;
  readonly extendedTo: Instant | null;
  readonly extensionReason: string | null;
  readonly assistanceDue: Instant;
  readonly forwardedAt: Instant | null;
  readonly remindedAt: Instant | null;
  readonly escalatedAt: Instant | null;
  readonly outcome: SubjectRequestOutcome | null;
  readonly outcomeReason: string | null;
  readonly completedAt: Instant | null;
  /** True when completed after the controller's deadline. */
  readonly late: boolean;
  /** The clocks past due and not met. */
  readonly overdue: string[];
}

export function toSubjectRequestView(state: SubjectRequestState, at: Instant): SubjectRequestView {
  const s = opened(state);
  const overdue = s.status === 'open' ? subjectRequestClocks(s).filter((c) => isOverdue(c.at, at)).map((c) => (c.kind === 'subject-request-deadline' ? 'deadline' : 'assistanceDue')) : [];
  return {
    id: s.requestId,
    contractId: s.contractId,
    status: s.status,
    type: s.requestType,
    receivedAt: s.receivedAt,
    receivedBy: s.receivedBy,
    reference: s.reference,
    deadline: s.deadline,
    extendedTo: s.extension?.extendedTo ?? null,
    extensionReason: s.extension?.reason ?? null,
    assistanceDue: assistanceDue(s),
    forwardedAt: s.forwardedAt,
    remindedAt: s.reminded?.actedAt ?? null,
    escalatedAt: s.escalated?.actedAt ?? null,
    outcome: s.completion?.outcome ?? null,
    outcomeReason: s.completion?.reason ?? null,
    completedAt: s.completion?.completedAt ?? null,
    late: s.completion?.late ?? false,
    overdue,
  };
}

