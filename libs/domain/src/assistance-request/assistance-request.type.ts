import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { at, body, instant, oneOf, text } from '../kit/schema';
import {
  ASSISTANCE_KINDS,
  ASSISTANCE_REQUEST_CLOCK_EVENTS,
  ASSISTANCE_REQUEST_CLOCK_KINDS,
  assistanceRequestClocks,
  assistanceRequestStream,
  toAssistanceRequestView,
  type AssistanceRequestCommand,
  type AssistanceRequestState,
} from './assistance-request.decider';

type Opened = Exclude<AssistanceRequestState, { status: 'none' }>;

/** The nudges an open request owes (DESIGN §3.5): the account managers before the due date, the DPO once it passed. */
export type AssistanceRequestMail = {
  readonly kind: 'assistance-request-reminder' | 'assistance-request-escalation';
  readonly requestId: string;
  readonly contractId: string;
  readonly assistanceKind: string;
  readonly receivedAt: string;
  readonly dueAt: string;
  readonly summary: string;
  readonly controllerName: string;
  readonly contractReference: string | null;
};



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
  route: { path: 'assistance-requests', param: 'aid', plural: 'DPIA and prior-consultation assistance requests' },
  commands: {
    request: {
      summary: 'P9: the controller asks for help with a DPIA or a prior consultation, due when it says. Status open.',
      roles: ['account_manager', 'dpo'],
      creates: true,
      schema: () => body({
        kind: oneOf(ASSISTANCE_KINDS, { description: 'A data protection impact assessment (GDPR 35) or a prior consultation of the supervisory authority (GDPR 36).' }),
        receivedAt: instant({ description: 'When the controller asked.', example: '2027-03-01T09:00:00Z' }),
        dueAt: instant({ description: 'When the controller needs it (set by the controller).', example: '2027-03-15T17:00:00Z' }),
        summary: text('assistanceText', { example: 'DPIA of the new customer-analytics database: hosting security measures and sub-processors' }),
      }),
      toCommand: (b, c): AssistanceRequestCommand => ({
        type: 'RequestAssistance',
        data: { requestId: c.id, contractId: c.contractId!, kind: b.kind, receivedAt: b.receivedAt, dueAt: b.dueAt, summary: b.summary, contractOrderedAt: c.contract!.orderedAt, recordedAt: c.recordedAt },
      }),
    },
    deliver: {
      summary: 'The help was given: when, and what was provided. Status delivered (late when after dueAt).',
      roles: ['account_manager', 'dpo'],
      path: 'delivery',
      schema: () => body({
        deliveredAt: instant({ description: 'When the help was given to the controller.' }),
        provided: text('assistanceText', { example: 'Security measures of the hosting, the sub-processor list, the data flow of backups' }),
      }),
      toCommand: (b, c): AssistanceRequestCommand => ({ type: 'DeliverAssistance', data: { deliveredAt: b.deliveredAt, provided: b.provided, recordedAt: c.recordedAt } }),
    },
  },
  view: {
    of: toAssistanceRequestView,
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      contractId: z.string().meta({ format: 'uuid' }),
      kind: z.enum(ASSISTANCE_KINDS),
      status: z.enum(['open', 'delivered']),
      receivedAt: at(),
      dueAt: at("The controller's due date: reminded two days before, escalated to the DPO when it passes."),
      summary: z.string(),
      recordedAt: at(),
      deliveredAt: at().nullable(),
      provided: z.string().nullable(),
      remindedAt: at().nullable(),
      escalatedAt: at().nullable(),
      late: z.boolean().meta({ description: 'Delivered after dueAt.' }),
      overdue: z.array(z.enum(['dueAt'])),
    }),
  },
  emails: (state, parties) => {
    const s = state as Opened;
    const mail = (kind: AssistanceRequestMail['kind']): AssistanceRequestMail => ({ kind, requestId: s.requestId, contractId: s.contractId, assistanceKind: s.kind, receivedAt: s.receivedAt, dueAt: s.dueAt, summary: s.summary, controllerName: parties.controllerName, contractReference: parties.contractReference });
    return [...(s.reminded ? [mail('assistance-request-reminder')] : []), ...(s.escalated ? [mail('assistance-request-escalation')] : [])];
  },
});
