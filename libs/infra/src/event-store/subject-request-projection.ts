import { SUBJECT_REQUEST_CLOCK_EVENTS, subjectRequestClocks, subjectRequestStream, type SubjectRequestEvent, type SubjectRequestState } from '../../../domain/src';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection, type PendingEvent, type ProjectionWrite, type StreamState } from './event-store';

export const SUBJECT_REQUEST_STREAM = subjectRequestStream.name;

/** A subject-request stream's state at its head: the whole state, kept in its read-model row. */
export class SubjectRequestStateSource implements StreamState<SubjectRequestState> {
  readonly streamType = SUBJECT_REQUEST_STREAM;
  readonly stateSql = `SELECT r.state, r.version FROM subject_requests r WHERE r.id = $1::uuid`;

  fold(state: SubjectRequestState | null, events: readonly PendingEvent[]): SubjectRequestState {
    return events.reduce((s, e) => subjectRequestStream.evolve(s, subjectRequestStream.upcast(e) as SubjectRequestEvent), state ?? subjectRequestStream.initialState());
  }
}

/** `subject_requests`: one row per request with its state (a few hundred bytes, written whole). */
export class SubjectRequestsView implements InlineProjection<SubjectRequestState> {
  readonly name = 'subject requests';
  readonly streamType = SUBJECT_REQUEST_STREAM;
  readonly handles = 'every event';

  writeCtes(writes: readonly ProjectionWrite<SubjectRequestState>[], { param, appended }: { param: (value: unknown) => string; appended: string }): string[] {
    const rows = writes.flatMap(({ streamId, state, version, updatedAt }) =>
      state.status === 'none' ? [] : [{ id: streamId, contract_id: state.contractId, status: state.status, received_at: state.receivedAt, version, updated_at: updatedAt ?? null, state }],
    );
    if (!rows.length) return [];
    return [
      `subject_request_rows AS (
         INSERT INTO subject_requests AS r (id, contract_id, status, received_at, version, state, updated_at)
         SELECT x.id::uuid, x.contract_id::uuid, x.status, x.received_at, x.version, x.state, coalesce(x.updated_at, now())
         FROM jsonb_to_recordset(${param(JSON.stringify(rows))}::jsonb)
           AS x(id text, contract_id text, status text, received_at timestamptz, version int, updated_at timestamptz, state jsonb)
         WHERE x.id IN (SELECT stream_id FROM ${appended}) ORDER BY x.id COLLATE "C"
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at)`,
    ];
  }
}

/** The request's clocks in the inbox (DESIGN §3.9), under its contract. */
export const subjectRequestDeadlines = () =>
  new DeadlinesView<SubjectRequestState>({
    streamType: SUBJECT_REQUEST_STREAM,
    handles: SUBJECT_REQUEST_CLOCK_EVENTS,
    clocksOf: subjectRequestClocks,
    contractIdOf: (_, state) => (state.status === 'none' ? null : state.contractId),
  });

export const subjectRequestProjections = (): InlineProjection<SubjectRequestState>[] => [new SubjectRequestsView(), subjectRequestDeadlines()];
