import { continueAsNew, setHandler } from '@temporalio/workflow';
import { assistanceRequestStream, type AssistanceRequestCommand, type AssistanceRequestEvent, type AssistanceRequestState, type EmailSent } from '../../../../libs/domain/src';
import {
  assistanceRequestSnapshotQuery,
  deliverAssistanceUpdate,
  requestAssistanceUpdate,
  type AssistanceRequestSnapshot,
  type AssistanceRequestWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { now } from '../kit/ledger';

type AssistanceRequestLedger = FileLedger<AssistanceRequestCommand, AssistanceRequestEvent | EmailSent, AssistanceRequestState>;

/**
 * One DPIA or prior-consultation assistance request (P9; DESIGN §3.5), from its receipt to its
 * delivery: the only writer of its stream. Account management is reminded before the controller's
 * due date, the processor's DPO escalated to once it passes undelivered.
 */
export async function assistanceRequestWorkflow(input: AssistanceRequestWorkflowInput): Promise<AssistanceRequestSnapshot> {
  const { requestId, parties } = input;
  const ledger: AssistanceRequestLedger = openLedger(assistanceRequestStream, requestId, input.carried);
  setHandler(assistanceRequestSnapshotQuery, () => ledger.snapshot());
  setHandler(
    requestAssistanceUpdate,
    ({ request, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'RequestAssistance', data: { ...request, recordedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ request }) => ledger.admit({ type: 'RequestAssistance', data: { ...request, recordedAt: now() } }) },
  );
  ledger.onCommand(deliverAssistanceUpdate, ({ deliveredAt, provided }, at) => ({ type: 'DeliverAssistance', data: { deliveredAt, provided, recordedAt: at } }));

  await runEntity(assistanceRequestStream, ledger, {
    async afterTimer(_timer, events) {
      const s = ledger.state as Exclude<AssistanceRequestState, { status: 'none' }>;
      const facts = { requestId, contractId: s.contractId, assistanceKind: s.kind, receivedAt: s.receivedAt, dueAt: s.dueAt, summary: s.summary, controllerName: parties.controllerName, contractReference: parties.contractReference };
      if (events.some((e) => e.type === 'AssistanceRequestReminded')) await ledger.mail.send({ kind: 'assistance-request-reminder', ...facts });
      if (events.some((e) => e.type === 'AssistanceRequestEscalated')) await ledger.mail.send({ kind: 'assistance-request-escalation', ...facts });
    },
    continueAsNew: (carried) => continueAsNew<typeof assistanceRequestWorkflow>({ requestId, parties, carried }),
  });
  return ledger.snapshot();
}
