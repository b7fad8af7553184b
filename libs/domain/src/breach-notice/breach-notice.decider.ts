import { addDuration, isAfter, isBefore, type Instant } from '../calendar';
import { isLate, isOverdue } from '../kit/clock';
import { requireInstant } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError } from '../errors';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts, type EmailSentData } from '../kit/mail';
import {
  ACKNOWLEDGEMENT_PERIOD,
  CONTROLLER_AUTHORITY_PERIOD,
  NOTICE_EMAIL,
  SUPPLEMENT_EMAIL,
  type BreachNoticeCommand,
  type BreachNoticeEvent,
  type BreachNoticeState,
  type BreachNoticeStatus,
  type OpenedBreachNotice,
  type Supplement,
} from './breach-notice.model';
import type { IncidentContent } from '../incident/incident.model';

/** The controller's own authority deadline: `sentAt + PT72H` (DESIGN §3.1). */
export const controllerAuthorityDue = (s: OpenedBreachNotice): Instant | null => (s.sentAt ? addDuration(s.sentAt, CONTROLLER_AUTHORITY_PERIOD) : null);
export const acknowledgementDue = (s: OpenedBreachNotice): Instant | null => (s.sentAt ? addDuration(s.sentAt, ACKNOWLEDGEMENT_PERIOD) : null);

function opened(state: BreachNoticeState): OpenedBreachNotice {
  if (state.status === 'none') throw notFoundError('breach_notice.not_found', 'no such breach notice');
  return state;
}

export function decide(command: BreachNoticeCommand, state: BreachNoticeState): BreachNoticeEvent[] {
  switch (command.type) {
    case 'OpenBreachNotice': {
      if (state.status !== 'none') return [];
      const { target, ...data } = command.data;
      return [{ type: 'BreachNoticeOpened', data: { ...data, targetDue: addDuration(data.awareAt, target) } }];
    }
    case 'EscalateBreachNotice': {
      const s = opened(state);
      // Sent in time (or already escalated): the clock is met.
      if (s.sentAt !== null || s.escalated !== null || command.data.dueAt !== s.targetDue) return [];
      return [{ type: 'BreachNoticeEscalated', data: command.data }];
    }
    case 'RecordSupplement': {
      const s = opened(state);
      if (s.supplements.some((x) => x.number === command.data.number)) return [];
      return [{ type: 'SupplementRecorded', data: command.data }];
    }
    case 'AcknowledgeBreachNotice': {
      const s = opened(state);
      const acknowledgedAt = requireInstant(command.data.acknowledgedAt, 'acknowledgedAt');
      if (s.acknowledgement) {
        if (s.acknowledgement.acknowledgedAt === acknowledgedAt) return [];
        throw conflictError('breach_notice.acknowledged', 'the controller acknowledged this notice already', { acknowledgedAt: s.acknowledgement.acknowledgedAt });
      }
      if (s.closedAt !== null) throw conflictError('breach_notice.closed', 'the notice is closed with its incident: an acknowledgement can no longer be recorded', { status: s.status });
      if (s.sentAt === null) throw conflictError('breach_notice.not_sent', 'the notice has not been sent yet: nothing to acknowledge', { status: s.status });
      if (isBefore(acknowledgedAt, s.sentAt)) throw ruleError('breach_notice.acknowledged_before_sent', `acknowledgedAt precedes the notice's sending ${s.sentAt}`, { field: 'acknowledgedAt', sentAt: s.sentAt });
      if (isAfter(acknowledgedAt, addDuration(command.data.recordedAt, 'PT5M'))) throw ruleError('breach_notice.acknowledged_in_future', "acknowledgedAt lies more than PT5M after the engine's clock", { field: 'acknowledgedAt' });
      return [{ type: 'BreachNoticeAcknowledged', data: { acknowledgedAt, recordedAt: command.data.recordedAt } }];
    }
    case 'RemindAcknowledgement': {
      const s = opened(state);
      if (s.acknowledgement !== null || s.reminded !== null || s.closedAt !== null || command.data.dueAt !== acknowledgementDue(s)) return [];
      return [{ type: 'AcknowledgementReminded', data: command.data }];
    }
    case 'CloseBreachNotice': {
      const s = opened(state);
      if (s.closedAt !== null) return [];
      return [{ type: 'BreachNoticeClosed', data: command.data }];
    }
  }
}

const statusOf = (s: Pick<OpenedBreachNotice, 'sentAt' | 'acknowledgement' | 'closedAt'>): BreachNoticeStatus =>
  s.closedAt !== null ? 'closed' : s.acknowledgement !== null ? 'acknowledged' : s.sentAt !== null ? 'sent' : 'pending';

function evolveNotice(state: BreachNoticeState, event: BreachNoticeEvent): BreachNoticeState {
  if (event.type === 'BreachNoticeOpened') {
    return { status: 'pending', ...event.data, sentAt: null, escalated: null, supplements: [], acknowledgement: null, reminded: null, closedAt: null };
  }
  if (state.status === 'none') return state;
  let next: OpenedBreachNotice;
  switch (event.type) {
    case 'BreachNoticeEscalated':
      next = { ...state, escalated: event.data };
      break;
    case 'SupplementRecorded':
      next = { ...state, supplements: [...state.supplements, { ...event.data, sentAt: null }] };
      break;
    case 'BreachNoticeAcknowledged':
      next = { ...state, acknowledgement: event.data };
      break;
    case 'AcknowledgementReminded':
      next = { ...state, reminded: event.data };
      break;
    case 'BreachNoticeClosed':
      next = { ...state, closedAt: event.data.closedAt };
      break;
  }
  return { ...next, status: statusOf(next) };
}

/** A receipt of the notice's first email makes it `sent`; one of a supplement dates that supplement. */
function onEmailSent(state: BreachNoticeState, email: EmailSentData): BreachNoticeState {
  if (state.status === 'none') return state;
  if (email.kind === NOTICE_EMAIL && state.sentAt === null) {
    const next = { ...state, sentAt: email.acceptedAt };
    return { ...next, status: statusOf(next) };
  }
  if (email.kind === SUPPLEMENT_EMAIL) {
    const number = supplementNumberOf(email.key);
    return { ...state, supplements: state.supplements.map((x): Supplement => (x.number === number && x.sentAt === null ? { ...x, sentAt: email.acceptedAt } : x)) };
  }
  return state;
}

/** The notice's Message-IDs (stable: a retried activity enqueues each once). */
export const noticeMessageIds = {
  notice: (noticeId: string) => `${noticeId}:notice`,
  supplement: (noticeId: string, number: number) => `${noticeId}:supplement:${number}`,
  escalation: (noticeId: string) => `${noticeId}:escalation`,
  reminder: (noticeId: string) => `${noticeId}:acknowledgement-reminder`,
};
const supplementNumberOf = (key: string): number => Number(key.split(':').at(-1));

export const initialState = (): BreachNoticeState => ({ status: 'none' });

/**
 * The notice's clocks: the sending target (escalated when missed — even if the incident closed
 * meanwhile: a notice never sent is never quietly dropped), then, while open, the acknowledgement's
 * reminder.
 */
export function nextTimer(state: BreachNoticeState): Timer<BreachNoticeCommand> | null {
  if (state.status === 'none') return null;
  if (state.sentAt === null) {
    if (state.escalated !== null) return null;
    const dueAt = state.targetDue;
    return { kind: 'breach-notice-target', at: dueAt, command: (actedAt) => ({ type: 'EscalateBreachNotice', data: { dueAt, actedAt } }) };
  }
  if (state.closedAt !== null || state.acknowledgement !== null || state.reminded !== null) return null;
  const dueAt = acknowledgementDue(state)!;
  return { kind: 'breach-notice-acknowledgement', at: dueAt, command: (actedAt) => ({ type: 'RemindAcknowledgement', data: { dueAt, actedAt } }) };
}

export const BREACH_NOTICE_CLOCK_KINDS = ['breach-notice-target', 'breach-notice-authority'] as const;

/** The notice's open clocks for the inbox (DESIGN §3.9): its target until sent, then the controller's authority deadline until closed. */
export function breachNoticeClocks(state: BreachNoticeState): { kind: (typeof BREACH_NOTICE_CLOCK_KINDS)[number]; at: Instant }[] {
  if (state.status === 'none') return [];
  if (state.sentAt === null) return [{ kind: 'breach-notice-target', at: state.targetDue }];
  if (state.closedAt !== null) return [];
  return [{ kind: 'breach-notice-authority', at: controllerAuthorityDue(state)! }];
}

export const BREACH_NOTICE_CLOCK_EVENTS: ReadonlySet<string> = new Set(['BreachNoticeOpened', 'EmailSent', 'BreachNoticeClosed']);

const EVENT_VERSIONS: Readonly<Record<BreachNoticeEvent['type'], number>> = {
  BreachNoticeOpened: 1,
  BreachNoticeEscalated: 1,
  SupplementRecorded: 1,
  BreachNoticeAcknowledged: 1,
  AcknowledgementReminded: 1,
  BreachNoticeClosed: 1,
};

function occurredAt(event: BreachNoticeEvent): Instant {
  switch (event.type) {
    case 'BreachNoticeOpened':
      return event.data.openedAt;
    case 'BreachNoticeEscalated':
    case 'AcknowledgementReminded':
      return event.data.actedAt;
    case 'SupplementRecorded':
    case 'BreachNoticeAcknowledged':
      return event.data.recordedAt;
    case 'BreachNoticeClosed':
      return event.data.closedAt;
  }
}

const baseStream: StreamType<BreachNoticeCommand, BreachNoticeEvent, BreachNoticeState> = {
  name: 'breach-notice',
  decide,
  evolve: evolveNotice,
  initialState,
  eventVersions: EVENT_VERSIONS,
  occurredAt,
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as BreachNoticeEvent,
  nextTimer,
  // Closed with its incident — and sent, or escalated for not being sent by its target.
  isFinal: (state) => state.status !== 'none' && state.closedAt !== null && (state.sentAt !== null || state.escalated !== null),
};

/** One breach notice per affected contract (P8, DESIGN §3.1): its stream, with its emails' receipts. */
export const breachNoticeStream = withEmailReceipts(baseStream, onEmailSent);

const TO_FOLLOW = 'to follow';

/** GDPR 33(3) as the notice states it: each part, or "to follow" (33(4)) while unknown. */
export function article33Content(content: IncidentContent): Record<string, string> {
  const or = (v: string | number | readonly string[] | null) => (v === null ? TO_FOLLOW : Array.isArray(v) ? v.join(', ') : String(v));
  return {
    summary: content.summary,
    nature: or(content.nature),
    dataCategories: or(content.dataCategories),
    subjectCategories: or(content.subjectCategories),
    approxSubjects: or(content.approxSubjects),
    approxRecords: or(content.approxRecords),
    likelyConsequences: or(content.likelyConsequences),
    measures: or(content.measures),
  };
}

/** The 33(3) parts still unknown in `content`. */
export const toFollow = (content: IncidentContent): string[] => Object.entries(article33Content(content)).filter(([, v]) => v === TO_FOLLOW).map(([k]) => k);

export interface BreachNoticeView {
  readonly id: string;
  readonly incidentId: string;
  readonly contractId: string;
  readonly status: BreachNoticeStatus;
  readonly awareAt: Instant;
  readonly targetDue: Instant;
  readonly sentAt: Instant | null;
  readonly controllerAuthorityDue: Instant | null;
  readonly escalatedAt: Instant | null;
  readonly acknowledgedAt: Instant | null;
  /** sentAt + PT24H: account management is reminded when no acknowledgement came by then. */
  readonly acknowledgementDue: Instant | null;
  readonly acknowledgementRemindedAt: Instant | null;
  readonly closedAt: Instant | null;
  /** The incident's content at confirmation with every supplement applied. */
  readonly content: IncidentContent;
  readonly toFollow: string[];
  readonly supplements: readonly Supplement[];
  /** True when sent after its target. */
  readonly late: boolean;
  readonly overdue: string[];
}

export function toBreachNoticeView(state: BreachNoticeState, at: Instant): BreachNoticeView {
  const s = opened(state);
  const content: IncidentContent = s.supplements.reduce((c, x) => ({ ...c, ...x.changes }), s.content);
  const overdue: string[] = [];
  if (s.sentAt === null && isOverdue(s.targetDue, at)) overdue.push('targetDue');
  const ackDue = acknowledgementDue(s);
  if (s.closedAt === null && ackDue !== null && s.acknowledgement === null && isOverdue(ackDue, at)) overdue.push('acknowledgementDue');
  return {
    id: s.noticeId,
    incidentId: s.incidentId,
    contractId: s.contractId,
    status: s.status,
    awareAt: s.awareAt,
    targetDue: s.targetDue,
    sentAt: s.sentAt,
    controllerAuthorityDue: controllerAuthorityDue(s),
    escalatedAt: s.escalated?.actedAt ?? null,
    acknowledgedAt: s.acknowledgement?.acknowledgedAt ?? null,
    acknowledgementDue: ackDue,
    acknowledgementRemindedAt: s.reminded?.actedAt ?? null,
    closedAt: s.closedAt,
    content,
    toFollow: toFollow(content),
    supplements: s.supplements,
    late: s.sentAt !== null && isLate(s.targetDue, s.sentAt),
    overdue,
  };
}
