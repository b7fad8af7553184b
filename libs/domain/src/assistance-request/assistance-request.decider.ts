import { addDuration, isAfter, isBefore, type Instant, type IsoDuration } from '../calendar';
import { requireInstant, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import { type Acted, isLate, isOverdue, remindThenEscalate } from '../kit/clock';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';

/** DESIGN §3.5 (P9): what the controller asks the processor's help with. */
export const ASSISTANCE_KINDS = ['dpia', 'prior-consultation'] as const;
export type AssistanceKind = (typeof ASSISTANCE_KINDS)[number];

/** Account management is reminded this long before the controller's due date. */
export const ASSISTANCE_REQUEST_REMINDER_LEAD: IsoDuration = 'P2D';
/** A request cannot have been received, nor the help delivered, later than this after the engine's clock. */
export const ASSISTANCE_SKEW: IsoDuration = 'PT5M';

export interface AssistanceRequestedData {
  readonly requestId: string;
  readonly contractId: string;
  readonly kind: AssistanceKind;
  readonly receivedAt: Instant;
  /** Set by the controller. */
  readonly dueAt: Instant;
  /** What is asked: the processing the assessment or the consultation concerns (never a person). */
  readonly summary: string;
  readonly recordedAt: Instant;
}

export type AssistanceRequestCommand =
  | {
      readonly type: 'RequestAssistance';
      readonly data: {
        readonly requestId: string;
        readonly contractId: string;
        readonly kind: unknown;
        readonly receivedAt: unknown;
        readonly dueAt: unknown;
        readonly summary: unknown;
        /** When the contract was ordered: no request under it can have been received before. */
        readonly contractOrderedAt: Instant;
        readonly recordedAt: Instant;
      };
    }
  | { readonly type: 'DeliverAssistance'; readonly data: { readonly deliveredAt: unknown; readonly provided: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RemindAssistanceRequest'; readonly data: Acted }
  | { readonly type: 'EscalateAssistanceRequest'; readonly data: Acted };

export type AssistanceRequestEvent =
  | { readonly type: 'AssistanceRequested'; readonly data: AssistanceRequestedData }
  | { readonly type: 'AssistanceDelivered'; readonly data: { readonly deliveredAt: Instant; readonly provided: string; readonly recordedAt: Instant } }
  | { readonly type: 'AssistanceRequestReminded'; readonly data: Acted }
  | { readonly type: 'AssistanceRequestEscalated'; readonly data: Acted };

export type AssistanceRequestStatus = 'open' | 'delivered';

export type AssistanceRequestState =
  | { readonly status: 'none' }
  | (AssistanceRequestedData & {
      readonly status: AssistanceRequestStatus;
      readonly delivered: { readonly deliveredAt: Instant; readonly provided: string; readonly recordedAt: Instant } | null;
      readonly reminded: Acted | null;
      readonly escalated: Acted | null;
    });

type Opened = Exclude<AssistanceRequestState, { status: 'none' }>;

function opened(state: AssistanceRequestState): Opened {
  if (state.status === 'none') throw notFoundError('assistance_request.not_found', 'no such assistance request');
  return state;
}

export function decide(command: AssistanceRequestCommand, state: AssistanceRequestState): AssistanceRequestEvent[] {
  switch (command.type) {
    case 'RequestAssistance': {
      const d = command.data;
      if (typeof d.kind !== 'string' || !(ASSISTANCE_KINDS as readonly string[]).includes(d.kind)) {
        throw validationError('assistance_request.invalid_kind', `kind must be one of ${ASSISTANCE_KINDS.join(', ')}`, { field: 'kind', allowed: [...ASSISTANCE_KINDS] });
      }
      const data: AssistanceRequestedData = {
        requestId: d.requestId,
        contractId: d.contractId,
        kind: d.kind as AssistanceKind,
        receivedAt: requireInstant(d.receivedAt, 'receivedAt'),
        dueAt: requireInstant(d.dueAt, 'dueAt'),
        summary: requireText(d.summary, 'summary', FIELDS.assistanceText),
        recordedAt: d.recordedAt,
      };
      if (state.status !== 'none') {
        const same = (['contractId', 'kind', 'receivedAt', 'dueAt', 'summary'] as const).every((k) => state[k] === data[k]);
        if (same) return [];
        throw conflictError('assistance_request.exists', 'an assistance request with this id exists with other data');
      }
      if (isBefore(data.receivedAt, d.contractOrderedAt)) throw ruleError('assistance_request.received_before_order', `receivedAt precedes the contract's order ${d.contractOrderedAt}`, { field: 'receivedAt', orderedAt: d.contractOrderedAt });
      if (isAfter(data.receivedAt, addDuration(d.recordedAt, ASSISTANCE_SKEW))) throw ruleError('assistance_request.received_in_future', `receivedAt lies more than ${ASSISTANCE_SKEW} after the engine's clock`, { field: 'receivedAt' });
      if (!isAfter(data.dueAt, data.receivedAt)) throw ruleError('assistance_request.due_before_received', 'dueAt must come after receivedAt', { field: 'dueAt' });
      return [{ type: 'AssistanceRequested', data }];
    }
    case 'DeliverAssistance': {
      const s = opened(state);
      const deliveredAt = requireInstant(command.data.deliveredAt, 'deliveredAt');
      const provided = requireText(command.data.provided, 'provided', FIELDS.assistanceText);
      if (s.delivered) {
        if (s.delivered.deliveredAt === deliveredAt && s.delivered.provided === provided) return [];
        throw conflictError('assistance_request.wrong_status', 'this request was delivered already', { status: s.status });
      }
      if (isBefore(deliveredAt, s.receivedAt)) throw ruleError('assistance_request.delivered_before_received', 'deliveredAt precedes receivedAt', { field: 'deliveredAt' });
      if (isAfter(deliveredAt, addDuration(command.data.recordedAt, ASSISTANCE_SKEW))) throw ruleError('assistance_request.delivered_in_future', `deliveredAt lies more than ${ASSISTANCE_SKEW} after the engine's clock`, { field: 'deliveredAt' });
      return [{ type: 'AssistanceDelivered', data: { deliveredAt, provided, recordedAt: command.data.recordedAt } }];
    }
    case 'RemindAssistanceRequest':
    case 'EscalateAssistanceRequest': {
      const s = opened(state);
      const done = command.type === 'RemindAssistanceRequest' ? s.reminded : s.escalated;
      if (s.status !== 'open' || command.data.dueAt !== s.dueAt || done?.dueAt === s.dueAt) return [];
      return [{ type: command.type === 'RemindAssistanceRequest' ? 'AssistanceRequestReminded' : 'AssistanceRequestEscalated', data: command.data }];
    }
  }
}

export function evolve(state: AssistanceRequestState, event: AssistanceRequestEvent): AssistanceRequestState {
  if (event.type === 'AssistanceRequested') return { ...event.data, status: 'open', delivered: null, reminded: null, escalated: null };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'AssistanceDelivered':
      return { ...state, status: 'delivered', delivered: event.data };
    case 'AssistanceRequestReminded':
      return { ...state, reminded: event.data };
    case 'AssistanceRequestEscalated':
      return { ...state, escalated: event.data };
  }
}

export const initialState = (): AssistanceRequestState => ({ status: 'none' });

export const ASSISTANCE_REQUEST_TIMERS = { reminder: 'assistance-request-reminder', escalation: 'assistance-request-escalation' } as const;

/** Reminded ASSISTANCE_REQUEST_REMINDER_LEAD before the due date, escalated to the DPO when it passes undelivered. */
export function nextTimer(state: AssistanceRequestState): Timer<AssistanceRequestCommand> | null {
  if (state.status !== 'open') return null;
  return remindThenEscalate<AssistanceRequestCommand>(
    { dueAt: state.dueAt, lead: ASSISTANCE_REQUEST_REMINDER_LEAD, openedAt: state.recordedAt, reminded: state.reminded, escalated: state.escalated },
    (data) => ({ type: 'RemindAssistanceRequest', data }),
    (data) => ({ type: 'EscalateAssistanceRequest', data }),
    ASSISTANCE_REQUEST_TIMERS,
  );
}

export const ASSISTANCE_REQUEST_CLOCK_KINDS = ['assistance-request-due'] as const;
export const assistanceRequestClocks = (state: AssistanceRequestState): { kind: (typeof ASSISTANCE_REQUEST_CLOCK_KINDS)[number]; at: Instant }[] =>
  state.status === 'open' ? [{ kind: 'assistance-request-due', at: state.dueAt }] : [];
export const ASSISTANCE_REQUEST_CLOCK_EVENTS: ReadonlySet<string> = new Set(['AssistanceRequested', 'AssistanceDelivered']);

const baseStream: StreamType<AssistanceRequestCommand, AssistanceRequestEvent, AssistanceRequestState> = {
  name: 'assistance-request',
  decide,
  evolve,
  initialState,
  eventVersions: { AssistanceRequested: 1, AssistanceDelivered: 1, AssistanceRequestReminded: 1, AssistanceRequestEscalated: 1 },
  occurredAt: (event) => {
    switch (event.type) {
      case 'AssistanceRequested':
        return event.data.recordedAt;
      case 'AssistanceDelivered':
        return event.data.recordedAt;
      default:
        return event.data.actedAt;
    }
  },
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as AssistanceRequestEvent,
  nextTimer,
  isFinal: (state) => state.status === 'delivered',
};

/** A DPIA or prior-consultation assistance request (P9; DESIGN §3.5): one stream per request, under its contract. */
export const assistanceRequestStream = withEmailReceipts(baseStream);

export interface AssistanceRequestView {
  readonly id: string;
  readonly contractId: string;
  readonly kind: AssistanceKind;
  readonly status: AssistanceRequestStatus;
  readonly receivedAt: Instant;
  readonly dueAt: Instant;
  readonly summary: string;
  readonly recordedAt: Instant;
  readonly deliveredAt: Instant | null;
  readonly provided: string | null;
  readonly remindedAt: Instant | null;
  readonly escalatedAt: Instant | null;
  /** Delivered after the due date. */
  readonly late: boolean;
  readonly overdue: string[];
}

export function toAssistanceRequestView(state: AssistanceRequestState, at: Instant): AssistanceRequestView {
  const s = opened(state);
  return {
    id: s.requestId,
    contractId: s.contractId,
    kind: s.kind,
    status: s.status,
    receivedAt: s.receivedAt,
    dueAt: s.dueAt,
    summary: s.summary,
    recordedAt: s.recordedAt,
    deliveredAt: s.delivered?.deliveredAt ?? null,
    provided: s.delivered?.provided ?? null,
    remindedAt: s.reminded?.actedAt ?? null,
    escalatedAt: s.escalated?.actedAt ?? null,
    late: s.delivered !== null && isLate(s.dueAt, s.delivered.deliveredAt),
    overdue: s.status === 'open' && isOverdue(s.dueAt, at) ? ['dueAt'] : [],
  };
}
