import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type DpoContact, type ProcessorDpoState } from '#domain';
import { type Actor, type Snapshot, workflowIdOf } from './common';

/**
 * The processor's registers: the staff roster (DESIGN §3.4), each person a file run by the generic
 * file workflow (`fileWorkflow`, type `staff`), and the processor's DPO (§3.6), a workflow of its
 * own (it tells every controller of a change).
 */

/** DESIGN §3.4: the file workflow of one person on the roster, for as long as they are on it. */
export const staffWorkflowId = (staffId: string) => workflowIdOf('staff', staffId);

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
