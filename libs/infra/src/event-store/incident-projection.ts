import {
  BREACH_NOTICE_CLOCK_EVENTS,
  breachNoticeClocks,
  breachNoticeStream,
  incidentStream,
  type BreachNoticeState,
  type IncidentState,
} from '../../../domain/src';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

export const INCIDENT_STREAM = incidentStream.name;
export const BREACH_NOTICE_STREAM = breachNoticeStream.name;

export const incidentStateSource = () => new WholeStateSource<IncidentState>(INCIDENT_STREAM, `SELECT r.state, r.version FROM incidents r WHERE r.id = $1::uuid`, incidentStream as unknown as Folding<IncidentState>);
export const breachNoticeStateSource = () =>
  new WholeStateSource<BreachNoticeState>(BREACH_NOTICE_STREAM, `SELECT r.state, r.version FROM breach_notices r WHERE r.id = $1::uuid`, breachNoticeStream as unknown as Folding<BreachNoticeState>);

type Recorded<S> = Exclude<S, { status: 'none' }>;

export const incidentProjections = (): InlineProjection<IncidentState>[] => [
  new WholeStateView<IncidentState>(
    'incidents',
    INCIDENT_STREAM,
    'incidents',
    [
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
      { name: 'detected_at', type: 'timestamptz', of: (s) => (s as Recorded<IncidentState>).detectedAt, updatable: false },
    ],
    (s) => s.status !== 'none',
  ),
];

export const breachNoticeProjections = (): InlineProjection<BreachNoticeState>[] => [
  new WholeStateView<BreachNoticeState>(
    'breach notices',
    BREACH_NOTICE_STREAM,
    'breach_notices',
    [
      { name: 'incident_id', type: 'uuid', of: (s) => (s as Recorded<BreachNoticeState>).incidentId, updatable: false },
      { name: 'contract_id', type: 'uuid', of: (s) => (s as Recorded<BreachNoticeState>).contractId, updatable: false },
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
    ],
    (s) => s.status !== 'none',
  ),
  // The notice's clocks in the inbox (DESIGN §3.9), under its contract.
  new DeadlinesView<BreachNoticeState>({
    streamType: BREACH_NOTICE_STREAM,
    handles: BREACH_NOTICE_CLOCK_EVENTS,
    clocksOf: breachNoticeClocks,
    contractIdOf: (_, state) => (state.status === 'none' ? null : state.contractId),
  }),
];
