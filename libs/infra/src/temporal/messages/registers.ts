import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type DpoContact, type ProcessorDpoState, type StaffState } from '#domain';
import { type Actor, type Snapshot, workflowIdOf } from './common';

/**
 * The processor's registers, each entry a workflow of its own: the staff roster (DESIGN §3.4) and
 * the processor's DPO (§3.6). (Audits are declared files, run by the generic file workflow.)
 */

/** DESIGN §3.4: one workflow per person on the roster, for as long as they are on it. */
export const staffWorkflowId = (staffId: string) => workflowIdOf('staff', staffId);
export type StaffSnapshot = Snapshot<StaffState>;

export interface StaffWorkflowInput {
  readonly staffId: string;
  readonly carried?: StaffSnapshot;
}

export const registerStaffUpdate = defineUpdate<StaffSnapshot & { created: boolean }, [{ readonly name: unknown; readonly email: unknown; readonly actor: Actor }]>('registerStaff');
export const signConfidentialityUpdate = defineUpdate<StaffSnapshot, [{ readonly signedAt: unknown; readonly actor: Actor }]>('signConfidentiality');
export const recordTrainingUpdate = defineUpdate<StaffSnapshot, [{ readonly completedAt: unknown; readonly course: unknown; readonly validFor: unknown; readonly actor: Actor }]>('recordTraining');
export const authorisePersonUpdate = defineUpdate<StaffSnapshot, [{ readonly contractId: string; readonly actor: Actor }]>('authorisePerson');
export const revokeAuthorisationUpdate = defineUpdate<StaffSnapshot, [{ readonly contractId: string; readonly actor: Actor }]>('revokeAuthorisation');
export const staffSnapshotQuery = defineQuery<StaffSnapshot>('staffSnapshot');

/**
 * DESIGN §3.6: the one workflow that owns the processor's DPO stream. Its stream id is fixed, so the
 * workflow id also names the engine's task queue: two engines (two databases) sharing a Temporal
 * namespace each own their own.
 */
export const processorDpoWorkflowId = (streamId: string, taskQueue: string) => `${workflowIdOf('processor-dpo', streamId)}-${taskQueue}`;
export type ProcessorDpoSnapshot = Snapshot<ProcessorDpoState>;

export interface ProcessorDpoWorkflowInput {
  /** The configured first value, recorded before the first change. */
  readonly configured: DpoContact;
  readonly carried?: ProcessorDpoSnapshot;
}

export const setDpoUpdate = defineUpdate<ProcessorDpoSnapshot & { created: boolean }, [{ readonly name: unknown; readonly email: unknown; readonly phone: unknown; readonly actor: Actor }]>('setDpo');
export const processorDpoSnapshotQuery = defineQuery<ProcessorDpoSnapshot>('processorDpoSnapshot');
