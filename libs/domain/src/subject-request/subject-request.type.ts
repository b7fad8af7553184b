import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { SUBJECT_REQUEST_CLOCK_EVENTS, SUBJECT_REQUEST_CLOCK_KINDS, subjectRequestClocks, subjectRequestStream } from './subject-request.decider';
import type { OpenedSubjectRequest, SubjectRequestState } from './subject-request.model';

/** A data-subject request the processor helps its controller answer (P7; DESIGN §3.2). */
export const subjectRequestType = fileType<SubjectRequestState>({
  name: 'subject-request',
  noun: 'data-subject request',
  parent: 'contract',
  parentIdOf: (s) => (s as OpenedSubjectRequest).contractId,
  idPattern: CANONICAL_UUID,
  stream: subjectRequestStream,
  statuses: { open: 'open', completed: 'final' },
  clocks: { kinds: SUBJECT_REQUEST_CLOCK_KINDS, handles: SUBJECT_REQUEST_CLOCK_EVENTS, of: subjectRequestClocks },
  readModel: { table: 'subject_requests', listedAt: (s) => (s as OpenedSubjectRequest).receivedAt },
});
