import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ContractState, CoveredPeriod, IsoDuration, OrderContract } from '../../../domain/src';

/**
 * The contract between the workflows and every client (API, tests, tools): workflow ids, inputs,
 * updates, signals and queries. Imported by workflow code, so it holds definitions only.
 */

export const contractWorkflowId = (contractId: string) => `contract-${contractId}`;
export const destructionWorkflowId = (contractId: string) => `destruction-${contractId}`;

/** Who asked: a role and a key id, kept in event metadata for the audit trail. */
export interface Actor {
  readonly role: 'account_manager' | 'billing' | 'dpo' | 'admin' | 'engine';
  readonly keyId?: string | null;
}

/** The domain state and the stream version it stands at. */
export interface ContractSnapshot {
  readonly state: ContractState;
  readonly version: number;
}

export interface EngineSettings {
  /** L11: how long before the deadline an unfinished destruction escalates (DESTRUCTION_ESCALATION_MARGIN). */
  readonly escalationMargin: IsoDuration;
}

export interface ContractWorkflowInput {
  readonly contractId: string;
  readonly settings: EngineSettings;
  /** First run: the order (L1), decided and stored before anything else. */
  readonly order?: OrderContract['data'];
  readonly actor?: Actor;
  /** Later runs (continue-as-new): the state carried over. */
  readonly carried?: ContractSnapshot;
}

export interface DestructionLocationProgress {
  /** The inventory taken before the first deletion attempt: the evidence of what was removed. */
  readonly inventory: LocationInventory | null;
  readonly rounds: number;
  readonly nextAttemptAt: string | null;
}

export interface DestructionWorkflowInput {
  readonly contractId: string;
  readonly carried: ContractSnapshot;
  readonly progress?: Readonly<Record<string, DestructionLocationProgress>>;
  /** Export rounds that failed, and when the next is due (carried over continue-as-new). */
  readonly exportRounds?: number;
  readonly exportRetryAt?: number | null;
}

export interface LocationInventory {
  readonly objectCount: number;
  readonly bytes: number;
  /** sha256 over the sorted list of objects (path and size). */
  readonly manifestHash: string;
  readonly inventoriedAt: string;
}

export interface HandOverCredentialsInput {
  readonly credentialId: string;
  readonly kind: string;
  readonly host: string;
  /** Sealed by the credential vault under the contract's data key: never the plain secret. */
  readonly sealed: string;
  readonly actor: Actor;
}

export interface AcceptRenewalInput {
  readonly invoiceId: string;
  readonly coveredPeriod: CoveredPeriod;
  readonly acceptedAt: string;
  readonly actor: Actor;
}

export interface CloseRenewalInput {
  readonly invoiceId: string;
  readonly reason: string | null;
  readonly actor: Actor;
}

export interface ReasonInput {
  readonly reason: string | null;
  readonly actor: Actor;
}

export interface RequestDataExportInput {
  readonly requestId: string;
  readonly actor: Actor;
}

export const handOverCredentialsUpdate = defineUpdate<ContractSnapshot, [HandOverCredentialsInput]>('handOverCredentials');
export const acceptRenewalUpdate = defineUpdate<ContractSnapshot, [AcceptRenewalInput]>('acceptRenewal');
export const rejectRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('rejectRenewal');
export const withdrawRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('withdrawRenewal');
export const noticeNonRenewalUpdate = defineUpdate<ContractSnapshot, [ReasonInput]>('noticeNonRenewal');
export const terminateUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('terminate');
export const cancelUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('cancel');
/** Waits until the order is stored; answers the snapshot. */
export const snapshotUpdate = defineUpdate<ContractSnapshot, []>('snapshot');

/** For fire-and-forget billing callers: the same as the update, without an answer. */
export const renewalAcceptedSignal = defineSignal<[AcceptRenewalInput]>('renewalAccepted');

export const requestDataExportUpdate = defineUpdate<ContractSnapshot, [RequestDataExportInput]>('requestDataExport');

export const snapshotQuery = defineQuery<ContractSnapshot>('snapshot');

/**
 * The failure type of a command sent to the contract workflow after it handed the stream to the
 * destruction workflow: resend it to `destructionWorkflowId(contractId)`.
 */
export const HANDED_OFF_FAILURE = 'ContractHandedOff';

/** The ApplicationFailure type that carries a domain refusal; details[0] = {code, kind, details}. */
export const DOMAIN_FAILURE = 'DomainError';

export interface DomainFailureDetails {
  readonly code: string;
  readonly kind: 'validation' | 'conflict' | 'rule' | 'not_found';
  readonly details?: Record<string, unknown>;
}
