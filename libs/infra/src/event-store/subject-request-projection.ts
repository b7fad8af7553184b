import { SUBJECT_REQUEST_CLOCK_EVENTS, subjectRequestClocks, subjectRequestStream, type SubjectRequestState } from '../../../domain/src';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

export const SUBJECT_REQUEST_STREAM = subjectRequestStream.name;
type Opened = Exclude<SubjectRequestState, { status: 'none' }>;

/** A subject-request stream's state at its head: the whole state, kept in its read-model row. */
export const subjectRequestStateSource = () =>
  new WholeStateSource<SubjectRequestState>(SUBJECT_REQUEST_STREAM, `SELECT r.state, r.version FROM subject_requests r WHERE r.id = $1::uuid`, subjectRequestStream as unknown as Folding<SubjectRequestState>);

/** The request's clocks in the inbox (DESIGN §3.9), under its contract. */
export const subjectRequestDeadlines = () =>
  new DeadlinesView<SubjectRequestState>({
    streamType: SUBJECT_REQUEST_STREAM,
    handles: SUBJECT_REQUEST_CLOCK_EVENTS,
    clocksOf: subjectRequestClocks,
    contractIdOf: (_, state) => (state.status === 'none' ? null : state.contractId),
  });

/** `subject_requests`: one row per request with its state (a few hundred bytes, written whole), and its clocks. */
export const subjectRequestProjections = (): InlineProjection<SubjectRequestState>[] => [
  new WholeStateView<SubjectRequestState>(
    'subject requests',
    SUBJECT_REQUEST_STREAM,
    'subject_requests',
    [
      { name: 'contract_id', type: 'uuid', of: (s) => (s as Opened).contractId, updatable: false },
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
      { name: 'received_at', type: 'timestamptz', of: (s) => (s as Opened).receivedAt, updatable: false },
    ],
    (s) => s.status !== 'none',
  ),
  subjectRequestDeadlines(),
];
