import { isAfter, type Instant } from '../calendar';
import { requireInstant, requireText } from '../contract/contract.validation';
import { notFoundError, ruleError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType, Timer } from '../kit/decider';
import { withEmailReceipts, type EmailSentData } from '../kit/mail';
import type { SubProcessorChange } from './sub-processor-change.decider';

/** The email that announces the change to the controller: its receipt says when it was told. */
export const SUB_PROCESSOR_NOTICE_EMAIL = 'sub-processor-change';

interface TimerFact {
  readonly dueAt: Instant;
  readonly actedAt: Instant;
}

export interface SubProcessorNoticeOpenedData {
  readonly noticeId: string;
  readonly contractId: string;
  readonly change: SubProcessorChange;
  readonly openedAt: Instant;
}

export type SubProcessorNoticeCommand =
  | { readonly type: 'OpenSubProcessorNotice'; readonly data: SubProcessorNoticeOpenedData }
  | { readonly type: 'ObjectToSubProcessorChange'; readonly data: { readonly reason: unknown; readonly objectedAt: Instant } }
  | { readonly type: 'ReachEffectiveDate'; readonly data: TimerFact }
  | { readonly type: 'RecordChangeApplied'; readonly data: { readonly applied: boolean; readonly storageLocations: readonly string[] | null; readonly why: string | null; readonly recordedAt: Instant } };

export type SubProcessorNoticeEvent =
  | { readonly type: 'SubProcessorNoticeOpened'; readonly data: SubProcessorNoticeOpenedData }
  | { readonly type: 'SubProcessorChangeObjected'; readonly data: { readonly reason: string; readonly objectedAt: Instant } }
  /** On the effective date with an objection on record, or the controller never told in time: the contract keeps its locations. */
  | { readonly type: 'SubProcessorChangeDeclined'; readonly data: TimerFact & { readonly because: KeptBecause } }
  /** On the effective date without one: the contract is to take the change. */
  | { readonly type: 'SubProcessorChangeDue'; readonly data: TimerFact }
  /** The contract took it (`applied`), or could not any more (processing had ended: `why`). */
  | { readonly type: 'SubProcessorChangeApplied'; readonly data: { readonly applied: boolean; readonly storageLocations: readonly string[] | null; readonly why: string | null; readonly recordedAt: Instant } };

export type KeptBecause = 'objection' | 'controller_not_told';

/**
 * `announced` until the effective date (`objected` once the controller objected); then `kept`
 * (objected: nothing changes), `applying`, and `applied` — or `lapsed` when processing ended first.
 */
export type SubProcessorNoticeStatus = 'announced' | 'objected' | 'kept' | 'applying' | 'applied' | 'lapsed';

export type SubProcessorNoticeState =
  | { readonly status: 'none' }
  | (SubProcessorNoticeOpenedData & {
      readonly status: SubProcessorNoticeStatus;
      readonly sentAt: Instant | null;
      readonly objection: { readonly reason: string; readonly objectedAt: Instant } | null;
      readonly effective: TimerFact | null;
      /** Why the contract kept its locations (status `kept`). */
      readonly keptBecause?: KeptBecause | null;
      readonly result: { readonly storageLocations: readonly string[] | null; readonly why: string | null; readonly recordedAt: Instant } | null;
    });

type Opened = Exclude<SubProcessorNoticeState, { status: 'none' }>;

export function decide(command: SubProcessorNoticeCommand, state: SubProcessorNoticeState): SubProcessorNoticeEvent[] {
  if (command.type === 'OpenSubProcessorNotice') return state.status === 'none' ? [{ type: 'SubProcessorNoticeOpened', data: command.data }] : [];
  const s = opened(state);
  switch (command.type) {
    case 'ObjectToSubProcessorChange': {
      const reason = requireText(command.data.reason, 'reason', FIELDS.reason);
      const objectedAt = requireInstant(command.data.objectedAt, 'objectedAt');
      // A repeat (the controller's answer recorded twice) records nothing.
      if (s.objection !== null) return [];
      // Past the deadline, or the effective date already reached in the same instant: too late.
      if (isAfter(objectedAt, s.change.objectionDeadline) || s.effective !== null) {
        throw ruleError('sub_processor_change.objection_period_over', `the objection period ended at ${s.change.objectionDeadline}`, { objectionDeadline: s.change.objectionDeadline });
      }
      return [{ type: 'SubProcessorChangeObjected', data: { reason, objectedAt } }];
    }
    case 'ReachEffectiveDate': {
      if (s.effective !== null || command.data.dueAt !== s.change.effectiveAt) return [];
      if (s.objection) return [{ type: 'SubProcessorChangeDeclined', data: { ...command.data, because: 'objection' } }];
      // GDPR 28(2): a controller not told in time (the email never accepted, or accepted after the
      // objection deadline) had no chance to object: its contract keeps its locations too.
      if (s.sentAt === null || isAfter(s.sentAt, s.change.objectionDeadline)) return [{ type: 'SubProcessorChangeDeclined', data: { ...command.data, because: 'controller_not_told' } }];
      return [{ type: 'SubProcessorChangeDue', data: command.data }];
    }
    case 'RecordChangeApplied':
      return s.status === 'applying' ? [{ type: 'SubProcessorChangeApplied', data: command.data }] : [];
  }
}

function opened(state: SubProcessorNoticeState): Opened {
  if (state.status === 'none') throw notFoundError('sub_processor_notice.not_found', 'no such sub-processor change for this contract');
  return state;
}

export function evolve(state: SubProcessorNoticeState, event: SubProcessorNoticeEvent): SubProcessorNoticeState {
  if (event.type === 'SubProcessorNoticeOpened') return { ...event.data, status: 'announced', sentAt: null, objection: null, effective: null, result: null };
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'SubProcessorChangeObjected':
      return { ...state, status: 'objected', objection: event.data };
    case 'SubProcessorChangeDeclined': {
      const { because, ...effective } = event.data;
      return { ...state, status: 'kept', effective, keptBecause: because };
    }
    case 'SubProcessorChangeDue':
      return { ...state, status: 'applying', effective: event.data };
    case 'SubProcessorChangeApplied': {
      const { applied, ...result } = event.data;
      return { ...state, status: applied ? 'applied' : 'lapsed', result };
    }
  }
}

function onEmailSent(state: SubProcessorNoticeState, email: EmailSentData): SubProcessorNoticeState {
  if (state.status === 'none' || state.sentAt !== null || email.kind !== SUB_PROCESSOR_NOTICE_EMAIL) return state;
  return { ...state, sentAt: email.acceptedAt };
}

/** The effective date: the change is declined (objection) or taken. */
export function nextTimer(state: SubProcessorNoticeState): Timer<SubProcessorNoticeCommand> | null {
  if (state.status !== 'announced' && state.status !== 'objected') return null;
  const dueAt = state.change.effectiveAt;
  return { kind: 'sub-processor-change-effective', at: dueAt, command: (actedAt) => ({ type: 'ReachEffectiveDate', data: { dueAt, actedAt } }) };
}

const FINAL: readonly SubProcessorNoticeStatus[] = ['kept', 'applied', 'lapsed'];

const baseStream: StreamType<SubProcessorNoticeCommand, SubProcessorNoticeEvent, SubProcessorNoticeState> = {
  name: 'sub-processor-notice',
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
  eventVersions: { SubProcessorNoticeOpened: 1, SubProcessorChangeObjected: 1, SubProcessorChangeDeclined: 1, SubProcessorChangeDue: 1, SubProcessorChangeApplied: 1 },
  occurredAt: (event) => {
    switch (event.type) {
      case 'SubProcessorNoticeOpened': return event.data.openedAt;
      case 'SubProcessorChangeObjected': return event.data.objectedAt;
      case 'SubProcessorChangeApplied': return event.data.recordedAt;
      default: return event.data.actedAt;
    }
  },
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as SubProcessorNoticeEvent,
  nextTimer,
  isFinal: (state) => FINAL.includes(state.status as SubProcessorNoticeStatus),
};

/** One affected contract's part in a sub-processor change (DESIGN §3.8): its own stream, under the contract. */
export const subProcessorNoticeStream = withEmailReceipts(baseStream, onEmailSent);

export interface SubProcessorNoticeView {
  readonly id: string;
  readonly changeId: string;
  readonly contractId: string;
  readonly status: SubProcessorNoticeStatus;
  readonly kind: SubProcessorChange['kind'];
  readonly subProcessor: SubProcessorChange['subProcessor'];
  readonly location: SubProcessorChange['location'];
  readonly replaces: string | null;
  readonly announcedAt: Instant;
  readonly objectionDeadline: Instant;
  readonly effectiveAt: Instant;
  /** When the relay accepted the email to the controller. */
  readonly sentAt: Instant | null;
  readonly objectedAt: Instant | null;
  readonly objectionReason: string | null;
  /** Account management must take it up with the controller: an objection stands. */
  readonly needsAccountManagement: boolean;
  readonly storageLocations: readonly string[] | null;
  readonly settledAt: Instant | null;
  readonly lapsedBecause: string | null;
  readonly keptBecause: KeptBecause | null;
}

export function toSubProcessorNoticeView(state: SubProcessorNoticeState): SubProcessorNoticeView {
  const s = opened(state);
  const c = s.change;
  return {
    id: s.noticeId,
    changeId: c.changeId,
    contractId: s.contractId,
    status: s.status,
    kind: c.kind,
    subProcessor: c.subProcessor,
    location: c.location,
    replaces: c.replaces,
    announcedAt: c.announcedAt,
    objectionDeadline: c.objectionDeadline,
    effectiveAt: c.effectiveAt,
    sentAt: s.sentAt,
    objectedAt: s.objection?.objectedAt ?? null,
    objectionReason: s.objection?.reason ?? null,
    needsAccountManagement: s.objection !== null,
    storageLocations: s.result?.storageLocations ?? null,
    settledAt: s.result?.recordedAt ?? s.effective?.actedAt ?? null,
    lapsedBecause: s.result?.why ?? null,
    keptBecause: s.keptBecause ?? null,
  };
}
