import { isAfter, type Instant } from '../calendar';
import { isLateBefore, isOverdueBefore } from '../kit/clock';
import { optionalText, requireInstant, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts, type EmailSentData } from '../kit/mail';

/** The email that tells the controller of a transfer: its receipt makes the notice `sent`. */
export const TRANSFER_NOTICE_EMAIL = 'transfer-notice';

export interface TransferNoticeRecordedData {
  readonly noticeId: string;
  readonly contractId: string;
  /** The third country or international organisation. */
  readonly destination: string;
  /** The Union or Member State law that requires the transfer. */
  readonly legalObligation: string;
  readonly plannedAt: Instant;
  /** Set when that law forbids telling the controller (P2): nothing is sent. */
  readonly withheldReason: string | null;
  readonly recordedAt: Instant;
}

export type TransferNoticeCommand =
  | {
      readonly type: 'RecordTransferNotice';
      readonly data: { readonly noticeId: string; readonly contractId: string; readonly destination: unknown; readonly legalObligation: unknown; readonly plannedAt: unknown; readonly withheldReason: unknown; readonly recordedAt: Instant };
    }
  | { readonly type: 'EscalateTransferNotice'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } };

export type TransferNoticeEvent =
  | { readonly type: 'TransferNoticeRecorded'; readonly data: TransferNoticeRecordedData }
  | { readonly type: 'TransferNoticeEscalated'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } };

export type TransferNoticeStatus = 'pending' | 'sent' | 'withheld';

export type TransferNoticeState =
  | { readonly status: 'none' }
  | (TransferNoticeRecordedData & {
      readonly status: TransferNoticeStatus;
      /** When the relay accepted the email to the controller. */
      readonly sentAt: Instant | null;
      /** Not sent by the planned transfer: the processor's DPO was told. */
      readonly escalated: { readonly dueAt: Instant; readonly actedAt: Instant } | null;
    });

type Recorded = Exclude<TransferNoticeState, { status: 'none' }>;

export function decide(command: TransferNoticeCommand, state: TransferNoticeState): TransferNoticeEvent[] {
  switch (command.type) {
    case 'RecordTransferNotice': {
      const d = command.data;
      const data: TransferNoticeRecordedData = {
        noticeId: d.noticeId,
        contractId: d.contractId,
        destination: requireText(d.destination, 'destination', FIELDS.transferDestination),
        legalObligation: requireText(d.legalObligation, 'legalObligation', FIELDS.reason),
        plannedAt: requireInstant(d.plannedAt, 'plannedAt'),
        withheldReason: optionalText(d.withheldReason, 'withheldReason', FIELDS.reason),
        recordedAt: d.recordedAt,
      };
      if (state.status !== 'none') {
        const same = (['destination', 'legalObligation', 'plannedAt', 'withheldReason', 'contractId'] as const).every((k) => state[k] === data[k]);
        if (same) return [];
        throw conflictError('transfer_notice.exists', 'a transfer notice with this id exists with other data');
      }
      // P2: the controller is told before the transfer; only a notice the law forbids may come after it.
      if (data.withheldReason === null && !isAfter(data.plannedAt, d.recordedAt)) {
        throw ruleError('transfer_notice.planned_in_past', `plannedAt has passed: the controller must be told before the transfer (or the law forbids telling it: give withheldReason)`, { field: 'plannedAt' });
      }
      return [{ type: 'TransferNoticeRecorded', data }];
    }
    case 'EscalateTransferNotice': {
      const s = opened(state);
      if (s.status !== 'pending' || s.escalated !== null || command.data.dueAt !== s.plannedAt) return [];
      return [{ type: 'TransferNoticeEscalated', data: command.data }];
    }
  }
}

function opened(state: TransferNoticeState): Recorded {
  if (state.status === 'none') throw notFoundError('transfer_notice.not_found', 'no such transfer notice');
  return state;
}

export function evolve(state: TransferNoticeState, event: TransferNoticeEvent): TransferNoticeState {
  if (event.type === 'TransferNoticeRecorded') return { ...event.data, status: event.data.withheldReason === null ? 'pending' : 'withheld', sentAt: null, escalated: null };
  if (state.status === 'none') return state;
  return { ...state, escalated: event.data };
}

function onEmailSent(state: TransferNoticeState, email: EmailSentData): TransferNoticeState {
  if (state.status !== 'pending' || email.kind !== TRANSFER_NOTICE_EMAIL) return state;
  return { ...state, status: 'sent', sentAt: email.acceptedAt };
}

export const initialState = (): TransferNoticeState => ({ status: 'none' });

/** Not sent by the planned transfer: the processor's DPO is escalated to, once. */
export function nextTimer(state: TransferNoticeState): Timer<TransferNoticeCommand> | null {
  if (state.status !== 'pending' || state.escalated !== null) return null;
  const dueAt = state.plannedAt;
  return { kind: 'transfer-notice-planned', at: dueAt, command: (actedAt) => ({ type: 'EscalateTransferNotice', data: { dueAt, actedAt } }) };
}

export const TRANSFER_NOTICE_CLOCK_KINDS = ['transfer-notice-planned'] as const;
export const transferNoticeClocks = (state: TransferNoticeState): { kind: (typeof TRANSFER_NOTICE_CLOCK_KINDS)[number]; at: Instant }[] =>
  state.status === 'pending' ? [{ kind: 'transfer-notice-planned', at: state.plannedAt }] : [];
export const TRANSFER_NOTICE_CLOCK_EVENTS: ReadonlySet<string> = new Set(['TransferNoticeRecorded', 'EmailSent']);

const baseStream: StreamType<TransferNoticeCommand, TransferNoticeEvent, TransferNoticeState> = {
  name: 'transfer-notice',
  decide,
  evolve,
  initialState,
  eventVersions: { TransferNoticeRecorded: 1, TransferNoticeEscalated: 1 },
  occurredAt: (event) => (event.type === 'TransferNoticeRecorded' ? event.data.recordedAt : event.data.actedAt),
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as TransferNoticeEvent,
  nextTimer,
  // Withheld: done at once. Pending: until sent (escalated once if the transfer date comes first).
  isFinal: (state) => state.status === 'withheld' || state.status === 'sent',
};

/** A transfer notice (P2, DESIGN §3.3): one stream per notice, under its contract. */
export const transferNoticeStream = withEmailReceipts(baseStream, onEmailSent);

export interface TransferNoticeView {
  readonly id: string;
  readonly contractId: string;
  readonly status: TransferNoticeStatus;
  readonly destination: string;
  readonly legalObligation: string;
  readonly plannedAt: Instant;
  readonly withheldReason: string | null;
  readonly recordedAt: Instant;
  readonly sentAt: Instant | null;
  readonly escalatedAt: Instant | null;
  /** Sent after the planned transfer. */
  readonly late: boolean;
  readonly overdue: string[];
}

export function toTransferNoticeView(state: TransferNoticeState, at: Instant): TransferNoticeView {
  const s = opened(state);
  return {
    id: s.noticeId,
    contractId: s.contractId,
    status: s.status,
    destination: s.destination,
    legalObligation: s.legalObligation,
    plannedAt: s.plannedAt,
    withheldReason: s.withheldReason,
    recordedAt: s.recordedAt,
    sentAt: s.sentAt,
    escalatedAt: s.escalated?.actedAt ?? null,
    late: s.sentAt !== null && isLateBefore(s.plannedAt, s.sentAt),
    overdue: s.status === 'pending' && isOverdueBefore(s.plannedAt, at) ? ['plannedAt'] : [],
  };
}
