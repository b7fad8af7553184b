import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { ASSISTANCE_REQUEST_CLOCK_EVENTS, ASSISTANCE_REQUEST_CLOCK_KINDS, assistanceRequestClocks, assistanceRequestStream, type AssistanceRequestState } from './assistance-request.decider';

type Opened = Exclude<AssistanceRequestState, { status: 'none' }>;

/** DPIA or prior-consultation help the controller asks for, due when it says (P9; DESIGN §3.5). */
export const assistanceRequestType = fileType<AssistanceRequestState>({
  name: 'assistance-request',
  noun: 'DPIA / consultation help',
  parent: 'contract',
  parentIdOf: (s) => (s as Opened).contractId,
  idPattern: CANONICAL_UUID,
  stream: assistanceRequestStream,
  statuses: { open: 'open', delivered: 'final' },
  clocks: { kinds: ASSISTANCE_REQUEST_CLOCK_KINDS, handles: ASSISTANCE_REQUEST_CLOCK_EVENTS, of: assistanceRequestClocks },
  readModel: { table: 'assistance_requests', listedAt: (s) => (s as Opened).receivedAt },
});
