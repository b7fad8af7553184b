import { ASSISTANCE_REQUEST_CLOCK_EVENTS, assistanceRequestClocks, assistanceRequestStream, type AssistanceRequestState } from '../../../domain/src';
import { contractFileReadModel, type Folding } from './whole-state-projection';

type Opened = Exclude<AssistanceRequestState, { status: 'none' }>;

/** `assistance_requests` (P9): one row per request under its contract; its due date in the inbox until delivered. */
export const assistanceRequestReadModel = contractFileReadModel<AssistanceRequestState>({
  stream: assistanceRequestStream as unknown as Folding<AssistanceRequestState> & { name: string },
  noun: 'assistance requests',
  table: 'assistance_requests',
  contractIdOf: (s) => (s as Opened).contractId,
  receivedAtOf: (s) => (s as Opened).receivedAt,
  clocks: { handles: ASSISTANCE_REQUEST_CLOCK_EVENTS, clocksOf: assistanceRequestClocks },
});
