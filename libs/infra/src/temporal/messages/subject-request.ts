import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { type SubjectRequestCommand, type SubjectRequestState } from '../../../../domain/src';
import { type Actor, type Snapshot, workflowIdOf } from './common';

/**
 * Data-subject request files (DESIGN §3.2): the workflow's id and input, the parties its emails go to,
 * its commands and its snapshot query.
 */

/** DESIGN §3.2: one workflow per data-subject request file, for the file's life. */
export const subjectRequestWorkflowId = (requestId: string) => workflowIdOf('subject-request', requestId);

export type SubjectRequestSnapshot = Snapshot<SubjectRequestState>;

/** Who the request's emails go to, as the contract names them when the file is opened. */
export interface SubjectRequestParties {
  /** Absent in files opened before emails named the controller. */
  readonly controllerName?: string;
  readonly controllerEmail: string;
  readonly controllerDpoEmail: string | null;
  readonly contractReference: string | null;
}

export interface SubjectRequestWorkflowInput {
  readonly requestId: string;
  readonly parties: SubjectRequestParties;
  readonly carried?: SubjectRequestSnapshot;
}

export interface OpenSubjectRequestInput {
  readonly open: Omit<Extract<SubjectRequestCommand, { type: 'OpenSubjectRequest' }>['data'], 'openedAt'>;
  readonly actor: Actor;
}

export interface ExtendSubjectRequestInput {
  readonly months: number;
  readonly reason: string;
  readonly actor: Actor;
}

export interface CompleteSubjectRequestInput {
  readonly outcome: string;
  readonly reason: string | null;
  readonly actor: Actor;
}

export const openSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot & { created: boolean }, [OpenSubjectRequestInput]>('openSubjectRequest');
export const extendSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot, [ExtendSubjectRequestInput]>('extendSubjectRequest');
export const completeSubjectRequestUpdate = defineUpdate<SubjectRequestSnapshot, [CompleteSubjectRequestInput]>('completeSubjectRequest');
export const subjectRequestSnapshotQuery = defineQuery<SubjectRequestSnapshot>('subjectRequestSnapshot');
