import type { Instant, IsoDuration } from '../calendar';

/** GDPR 15–22, DESIGN §3.2: what the data subject asked for. */
export const SUBJECT_REQUEST_TYPES = ['access', 'rectification', 'erasure', 'objection', 'restriction', 'portability', 'automated-decision'] as const;
export type SubjectRequestType = (typeof SUBJECT_REQUEST_TYPES)[number];

/** Who the person wrote to: the controller (it asks for help) or the processor (it must pass it on). */
export const RECEIVERS = ['controller', 'processor'] as const;
export type Receiver = (typeof RECEIVERS)[number];

/** 12(4): anything but `fulfilled` needs a reason. */
export const SUBJECT_REQUEST_OUTCOMES = ['fulfilled', 'partially-fulfilled', 'refused'] as const;
export type SubjectRequestOutcome = (typeof SUBJECT_REQUEST_OUTCOMES)[number];

/** DESIGN §3.2: the controller answers within a month of receipt (12(3)). */
export const SUBJECT_REQUEST_PERIOD: IsoDuration = 'P1M';
/** 12(3): at most two further months, so never beyond receipt + P3M. */
export const MAX_EXTENSION_MONTHS = 2;
/** DSR_ASSISTANCE_MARGIN's default: the processor's help is due this long before the controller's deadline. */
export const DEFAULT_ASSISTANCE_MARGIN: IsoDuration = 'P7D';
/** Account management is reminded this long before the assistance is due. */
export const ASSISTANCE_REMINDER_LEAD: IsoDuration = 'P3D';
/** A request cannot have been received later than this after the engine's clock (clock skew). */
export const RECEIPT_SKEW: IsoDuration = 'PT5M';

/** What an opened request records: references and instants, never the person (DESIGN §3). */
export interface SubjectRequestOpenedData {
  readonly requestId: string;
  readonly contractId: string;
  readonly requestType: SubjectRequestType;
  readonly receivedAt: Instant;
  readonly receivedBy: Receiver;
  readonly reference: string;
  /** receivedAt + P1M (12(3)). */
  readonly deadline: Instant;
  readonly assistanceMargin: IsoDuration;
  readonly openedAt: Instant;
}

export type SubjectRequestCommand =
  | {
      readonly type: 'OpenSubjectRequest';
      readonly data: {
        readonly requestId: string;
        readonly contractId: string;
        readonly requestType: unknown;
        readonly receivedAt: unknown;
        readonly receivedBy: unknown;
        readonly reference: unknown;
        readonly assistanceMargin: IsoDuration;
        /** When the contract was ordered: no request about it can have been received before. */
        readonly contractOrderedAt: Instant;
        /** The engine's clock when the command arrived. */
        readonly openedAt: Instant;
      };
    }
  | { readonly type: 'ForwardSubjectRequest'; readonly data: { readonly forwardedAt: Instant } }
  | { readonly type: 'ExtendSubjectRequest'; readonly data: { readonly months: unknown; readonly reason: unknown; readonly extendedAt: Instant } }
  | { readonly type: 'RemindAssistance'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'EscalateAssistance'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'CompleteSubjectRequest'; readonly data: { readonly outcome: unknown; readonly reason: unknown; readonly completedAt: Instant } };

export type SubjectRequestEvent =
  | { readonly type: 'SubjectRequestOpened'; readonly data: SubjectRequestOpenedData }
  | { readonly type: 'SubjectRequestForwarded'; readonly data: { readonly forwardedAt: Instant } }
  | { readonly type: 'SubjectRequestExtended'; readonly data: { readonly months: number; readonly reason: string; readonly extendedTo: Instant; readonly extendedAt: Instant } }
  | { readonly type: 'AssistanceReminded'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | { readonly type: 'AssistanceEscalated'; readonly data: { readonly dueAt: Instant; readonly actedAt: Instant } }
  | {
      readonly type: 'SubjectRequestCompleted';
      readonly data: { readonly outcome: SubjectRequestOutcome; readonly reason: string | null; readonly completedAt: Instant; readonly late: boolean };
    };

export type SubjectRequestState =
  | { readonly status: 'none' }
  | (SubjectRequestOpenedData & {
      readonly status: 'open' | 'completed';
      readonly extension: { readonly months: number; readonly reason: string; readonly extendedTo: Instant; readonly extendedAt: Instant } | null;
      /** When the controller was told of a request the processor received (null until then, or when the controller received it). */
      readonly forwardedAt: Instant | null;
      /** The reminder and escalation of the assistance target, each for the target it was due for. */
      readonly reminded: { readonly dueAt: Instant; readonly actedAt: Instant } | null;
      readonly escalated: { readonly dueAt: Instant; readonly actedAt: Instant } | null;
      readonly completion: { readonly outcome: SubjectRequestOutcome; readonly reason: string | null; readonly completedAt: Instant; readonly late: boolean } | null;
    });

export type OpenedSubjectRequest = Exclude<SubjectRequestState, { status: 'none' }>;
