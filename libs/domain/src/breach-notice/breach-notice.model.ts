import type { Instant, IsoDuration } from '../calendar';
import type { IncidentContent } from '../incident/incident.model';

/** BREACH_NOTICE_TARGET's default: the notice is sent within this of `awareAt` (seed: "after becoming aware"). */
export const DEFAULT_BREACH_NOTICE_TARGET: IsoDuration = 'PT24H';
/** GDPR 33(1): the controller notifies its authority within 72 hours of becoming aware — of the processor's notice. */
export const CONTROLLER_AUTHORITY_PERIOD: IsoDuration = 'PT72H';
/** Without the controller's acknowledgement this long after sending, account management is reminded. */
export const ACKNOWLEDGEMENT_PERIOD: IsoDuration = 'PT24H';

/** What each email of a notice is: its receipt says which fact it proves. */
export const NOTICE_EMAIL = 'breach-notice';
export const SUPPLEMENT_EMAIL = 'breach-supplement';

export interface BreachNoticeOpenedData {
  readonly noticeId: string;
  readonly incidentId: string;
  readonly contractId: string;
  readonly awareAt: Instant;
  /** awareAt + BREACH_NOTICE_TARGET. */
  readonly targetDue: Instant;
  /** The incident's content at confirmation: what the first notice says. */
  readonly content: IncidentContent;
  readonly openedAt: Instant;
}

export interface Supplement {
  readonly number: number;
  readonly changes: Partial<IncidentContent>;
  readonly recordedAt: Instant;
  readonly sentAt: Instant | null;
}

export type BreachNoticeCommand =
  | { readonly type: 'OpenBreachNotice'; readonly data: Omit<BreachNoticeOpenedData, 'targetDue'> & { readonly target: IsoDuration } }
  | { readonly type: 'EscalateBreachNotice'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'RecordSupplement'; readonly data: { readonly number: number; readonly changes: Partial<IncidentContent>; readonly recordedAt: Instant } }
  | { readonly type: 'AcknowledgeBreachNotice'; readonly data: { readonly acknowledgedAt: unknown; readonly recordedAt: Instant } }
  | { readonly type: 'RemindAcknowledgement'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'CloseBreachNotice'; readonly data: { readonly closedAt: Instant } };

export type BreachNoticeEvent =
  | { readonly type: 'BreachNoticeOpened'; readonly data: BreachNoticeOpenedData }
  | { readonly type: 'BreachNoticeEscalated'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'SupplementRecorded'; readonly data: { readonly number: number; readonly changes: Partial<IncidentContent>; readonly recordedAt: Instant } }
  | { readonly type: 'BreachNoticeAcknowledged'; readonly data: { readonly acknowledgedAt: Instant; readonly recordedAt: Instant } }
  | { readonly type: 'AcknowledgementReminded'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'BreachNoticeClosed'; readonly data: { readonly closedAt: Instant } };

export type BreachNoticeStatus = 'pending' | 'sent' | 'acknowledged' | 'closed';

export type BreachNoticeState =
  | { readonly status: 'none' }
  | (BreachNoticeOpenedData & {
      readonly status: BreachNoticeStatus;
      /** When the SMTP server accepted the notice (its receipt), null before. */
      readonly sentAt: Instant | null;
      readonly escalated: { readonly dueAt: Instant; readonly actedAt: Instant } | null;
      readonly supplements: readonly Supplement[];
      readonly acknowledgement: { readonly acknowledgedAt: Instant; readonly recordedAt: Instant } | null;
      readonly reminded: { readonly dueAt: Instant; readonly actedAt: Instant } | null;
      readonly closedAt: Instant | null;
    });

export type OpenedBreachNotice = Exclude<BreachNoticeState, { status: 'none' }>;
