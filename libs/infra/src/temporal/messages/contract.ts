import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type ContractState, type CoveredPeriod, type DpoContact, type IsoDuration, type OrderContract, type StorageLocation } from '#domain';
import { type Actor, type Snapshot, workflowIdOf } from './common';

/**
 * The contract's own workflow: its id and input, what its destruction phase carries over
 * continue-as-new, one update per command of its life, and its snapshot query.
 */

export const contractWorkflowId = (contractId: string) => workflowIdOf('contract', contractId);

export type ContractSnapshot = Snapshot<ContractState>;

export interface EngineSettings {
  /** L11: how long before the deadline an unfinished destruction escalates (DESTRUCTION_ESCALATION_MARGIN). */
  readonly escalationMargin: IsoDuration;
}

export interface DestructionLocationProgress {
  /** The inventory taken before the first deletion attempt: the evidence of what was removed. */
  readonly inventory: LocationInventory | null;
  readonly rounds: number;
  readonly nextAttemptAt: string | null;
}

/** What the destruction phase keeps beside the stream, carried over continue-as-new. */
export interface DestructionProgress {
  readonly locations: Readonly<Record<string, DestructionLocationProgress>>;
  /** Export rounds that failed, and when the next is due. */
  readonly exportRounds: number;
  readonly exportRetryAt: number | null;
}

export interface ContractWorkflowInput {
  readonly contractId: string;
  readonly settings: EngineSettings;
  /** Later runs (continue-as-new): the stream as the previous run left it. */
  readonly carried?: ContractSnapshot;
  readonly destruction?: DestructionProgress;
}

export interface LocationInventory {
  readonly objectCount: number;
  readonly bytes: number;
  /** sha256 over the sorted list of objects (path and size). */
  readonly manifestHash: string;
  readonly inventoriedAt: string;
}

export interface OrderInput {
  readonly order: OrderContract['data'];
  readonly actor: Actor;
}

/** The order's answer: `created` is false when the same order was already there. */
export interface OrderResult extends ContractSnapshot {
  readonly created: boolean;
}

/**
 * The hand-over as the workflow records it. The secret itself never reaches Temporal, not even
 * sealed: the API seals it under the contract's data key and stores it in the vault before this.
 */
export interface HandOverCredentialsInput {
  readonly credentialId: string;
  readonly kind: string;
  readonly host: string;
  readonly actor: Actor;
  /** P12: the processor's DPO as the API read it when it accepted the hand-over (absent in updates sent before it was passed). */
  readonly dpo?: DpoContact & { readonly dpoVersion: number };
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

/** The first update of a contract's life, sent with its start (update-with-start). */
export const orderUpdate = defineUpdate<OrderResult, [OrderInput]>('order');
export const handOverCredentialsUpdate = defineUpdate<ContractSnapshot, [HandOverCredentialsInput]>('handOverCredentials');
export const acceptRenewalUpdate = defineUpdate<ContractSnapshot, [AcceptRenewalInput]>('acceptRenewal');
export const rejectRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('rejectRenewal');
export const withdrawRenewalUpdate = defineUpdate<ContractSnapshot, [CloseRenewalInput]>('withdrawRenewal');
export const noticeNonRenewalUpdate = defineUpdate<ContractSnapshot, [ReasonInput]>('noticeNonRenewal');
export const terminateUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('terminate');
export const cancelUpdate = defineUpdate<ContractSnapshot, [ReasonInput & { reason: string }]>('cancel');
export const requestDataExportUpdate = defineUpdate<ContractSnapshot, [RequestDataExportInput]>('requestDataExport');

/** DESIGN §3.8: a sub-processor change the controller did not object to, taken on its effective date (`dueAt`). */
export interface ChangeStorageLocationsInput {
  readonly changeId: string;
  readonly added: StorageLocation | null;
  readonly removed: string | null;
  readonly dueAt: string;
  readonly actor: Actor;
}
export const changeStorageLocationsUpdate = defineUpdate<ContractSnapshot, [ChangeStorageLocationsInput]>('changeStorageLocations');

export const snapshotQuery = defineQuery<ContractSnapshot>('snapshot');
