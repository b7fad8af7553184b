import type { Instant, IsoDuration } from '../calendar';
import type { CatalogSelection, StorageLocation } from '../catalog';

export type CommandOf<Type extends string, Data> = Readonly<{ type: Type; data: Readonly<Data> }>;

export interface ControllerInput {
  /** The provider's own customer number: the controller's identity when given (else its normalised email). */
  readonly customerId: string | null;
  readonly name: string;
  readonly email: string;
  readonly address: string | null;
  readonly dpoEmail: string | null;
}

export interface CoveredPeriod {
  readonly start: Instant;
  readonly end: Instant;
}

export interface DestructionEvidence {
  readonly objectCount: number;
  readonly bytes: number;
  readonly manifestHash: string;
  readonly method: string;
  readonly inventoriedAt: Instant;
  readonly verifiedAt: Instant;
}

export interface ExportedLocation {
  readonly locationId: string;
  readonly objectCount: number;
  readonly bytes: number;
  readonly manifestHash: string;
}

export type OrderContract = CommandOf<
  'OrderContract',
  {
    contractId: string;
    reference: string | null;
    controller: ControllerInput;
    billingPeriod: IsoDuration;
    catalog: Partial<CatalogSelection> | null;
    /** `null` (or any zero duration such as `PT0S`) means no return window. */
    returnWindow: IsoDuration | null;
    /** `null` (or any zero duration) means expiry exactly at term end. */
    renewalGracePeriod: IsoDuration | null;
    orderedAt: Instant;
  }
>;

/** The secret itself never enters the domain: it goes to the credential vault. */
export type HandOverCredentials = CommandOf<
  'HandOverCredentials',
  {
    credentialId: string;
    kind: string;
    host: string;
    handedOverAt: Instant;
    /** P12: the processor's DPO as it stands when the hand-over is accepted; communicated with the first one. */
    dpo?: Omit<DpoCommunication, 'communicatedAt'> | null;
  }
>;

export type AcceptRenewal = CommandOf<
  'AcceptRenewal',
  {
    invoiceId: string;
    coveredPeriod: CoveredPeriod;
    /** When billing says the client accepted the invoice. */
    acceptedAt: Instant;
    /** When the engine received the acceptance (the workflow's own time): `acceptedAt` may not lie far beyond it. */
    receivedAt: Instant;
  }
>;

export type RejectRenewal = CommandOf<'RejectRenewal', { invoiceId: string; rejectedAt: Instant; reason: string | null }>;

export type WithdrawRenewal = CommandOf<
  'WithdrawRenewal',
  { invoiceId: string; withdrawnAt: Instant; reason: string | null }
>;

export type NoticeNonRenewal = CommandOf<'NoticeNonRenewal', { noticedAt: Instant; reason: string | null }>;

/**
 * Timer commands carry only when the engine acted; the domain knows from the state when the timer
 * was due, and the event records both (an audit time is a fact, not the plan).
 */
export interface TimerData {
  readonly actedAt: Instant;
}

export type ExpireContract = CommandOf<'ExpireContract', TimerData>;

export type TerminateContract = CommandOf<'TerminateContract', { terminatedAt: Instant; reason: string }>;

export type CancelContract = CommandOf<'CancelContract', { cancelledAt: Instant; reason: string }>;

export type RevokeCredentials = CommandOf<'RevokeCredentials', { revokedAt: Instant }>;

export type ScheduleDestruction = CommandOf<
  'ScheduleDestruction',
  { scheduledAt: Instant; escalationMargin: IsoDuration | null }
>;

export type RequestDataExport = CommandOf<'RequestDataExport', { requestId: string; requestedAt: Instant }>;

export type ServeDataExport = CommandOf<
  'ServeDataExport',
  { requestId: string; servedAt: Instant; locations: readonly ExportedLocation[] }
>;

export type StartDestruction = CommandOf<'StartDestruction', TimerData>;

export type RecordLocationDestroyed = CommandOf<
  'RecordLocationDestroyed',
  { locationId: string; destroyedAt: Instant; evidence: DestructionEvidence }
>;

/** `reason` is a short technical code or message, never personal data. */
export type RecordLocationDestructionFailed = CommandOf<
  'RecordLocationDestructionFailed',
  { locationId: string; failedAt: Instant; attempt: number; reason: string }
>;

export type CompleteDestruction = CommandOf<'CompleteDestruction', { completedAt: Instant; certificateId: string }>;

export type EscalateDestruction = CommandOf<'EscalateDestruction', TimerData>;

export type MarkDeadlineMissed = CommandOf<'MarkDeadlineMissed', TimerData>;

/**
 * GDPR 28(2), 28(4) (DESIGN §3.8): a sub-processor change takes effect on this contract — a
 * location added, or one replaced by another — on its effective date (`dueAt`), unless the
 * controller objected. The location that leaves still holds data until destruction covers it.
 */
export type ChangeStorageLocations = CommandOf<
  'ChangeStorageLocations',
  { changeId: string; added: StorageLocation | null; removed: string | null; dueAt: Instant; actedAt: Instant }
>;

/** P12: the processor's DPO, as the engine told the controller at hand-over (DESIGN §3.6). */
export interface DpoCommunication {
  readonly name: string;
  readonly email: string;
  readonly phone: string | null;
  /** The processor DPO stream's version of that contact. */
  readonly dpoVersion: number;
  readonly communicatedAt: Instant;
}

export type ContractCommand =
  | OrderContract
  | HandOverCredentials
  | AcceptRenewal
  | RejectRenewal
  | WithdrawRenewal
  | NoticeNonRenewal
  | ExpireContract
  | TerminateContract
  | CancelContract
  | RevokeCredentials
  | ScheduleDestruction
  | RequestDataExport
  | ServeDataExport
  | StartDestruction
  | RecordLocationDestroyed
  | RecordLocationDestructionFailed
  | CompleteDestruction
  | EscalateDestruction
  | MarkDeadlineMissed
  | ChangeStorageLocations;

export type ContractCommandType = ContractCommand['type'];

export const CONTRACT_COMMAND_TYPES: readonly ContractCommandType[] = [
  'OrderContract',
  'HandOverCredentials',
  'AcceptRenewal',
  'RejectRenewal',
  'WithdrawRenewal',
  'NoticeNonRenewal',
  'ExpireContract',
  'TerminateContract',
  'CancelContract',
  'RevokeCredentials',
  'ScheduleDestruction',
  'RequestDataExport',
  'ServeDataExport',
  'StartDestruction',
  'RecordLocationDestroyed',
  'RecordLocationDestructionFailed',
  'CompleteDestruction',
  'EscalateDestruction',
  'MarkDeadlineMissed',
  'ChangeStorageLocations',
];

/**
 * The commands a client of the engine sends about a contract (an account manager or the billing
 * system, through the API). The others are the engine's own: its clocks (expiry, escalation) and
 * the steps of destruction.
 */
export const CALLER_COMMAND_TYPES = [
  'HandOverCredentials',
  'AcceptRenewal',
  'RejectRenewal',
  'WithdrawRenewal',
  'NoticeNonRenewal',
  'TerminateContract',
  'CancelContract',
  'RequestDataExport',
] as const satisfies readonly ContractCommandType[];

export type CallerCommandType = (typeof CALLER_COMMAND_TYPES)[number];
