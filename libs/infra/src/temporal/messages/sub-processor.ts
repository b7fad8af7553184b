import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type IsoDuration, type SubProcessorChange, type SubProcessorChangeState, type SubProcessorNoticeState } from '#domain';
import { type Actor, type Snapshot, workflowIdOf } from './common';
import { type BreachNoticeParties } from './incident';

/**
 * Sub-processor changes (DESIGN §3.8): the processor-wide change and each affected contract's notice
 * of it, with the controller's objection.
 */

/**
 * DESIGN §3.8: one workflow per sub-processor change, processor-wide; one per affected contract's
 * notice. A change's id follows from the location it adds, so its workflow id also names the
 * engine's task queue: two engines sharing a Temporal namespace each own their own (as the DPO's).
 */
export const subProcessorChangeWorkflowId = (changeId: string, taskQueue: string) => `${workflowIdOf('sub-processor-change', changeId)}-${taskQueue}`;
export type SubProcessorChangeSnapshot = Snapshot<SubProcessorChangeState>;

export interface SubProcessorChangeWorkflowInput {
  readonly changeId: string;
  readonly carried?: SubProcessorChangeSnapshot;
}

export interface AnnounceSubProcessorChangeInput {
  readonly announcement: { readonly kind: unknown; readonly subProcessor: unknown; readonly location: unknown; readonly replaces: unknown; readonly effectiveAt: unknown; readonly objectionPeriod: IsoDuration; readonly knownLocations: readonly string[]; readonly pendingLocations: readonly string[] };
  readonly actor: Actor;
}
export const announceSubProcessorChangeUpdate = defineUpdate<SubProcessorChangeSnapshot & { created: boolean }, [AnnounceSubProcessorChangeInput]>('announceSubProcessorChange');
export const subProcessorChangeSnapshotQuery = defineQuery<SubProcessorChangeSnapshot>('subProcessorChangeSnapshot');

export const subProcessorNoticeWorkflowId = (noticeId: string) => workflowIdOf('sub-processor-notice', noticeId);
export type SubProcessorNoticeSnapshot = Snapshot<SubProcessorNoticeState>;

export interface SubProcessorNoticeWorkflowInput {
  readonly noticeId: string;
  readonly contractId: string;
  readonly parties: BreachNoticeParties;
  readonly change: SubProcessorChange;
  readonly carried?: SubProcessorNoticeSnapshot;
}
export const objectToSubProcessorChangeUpdate = defineUpdate<SubProcessorNoticeSnapshot, [{ readonly reason: unknown; readonly actor: Actor }]>('objectToSubProcessorChange');
export const subProcessorNoticeSnapshotQuery = defineQuery<SubProcessorNoticeSnapshot>('subProcessorNoticeSnapshot');
