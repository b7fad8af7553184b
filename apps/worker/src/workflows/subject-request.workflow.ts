import { continueAsNew, setHandler } from '@temporalio/workflow';
import {
  assistanceDue,
  effectiveDeadline,
  subjectRequestStream,
  type EmailSent,
  type SubjectRequestCommand,
  type SubjectRequestEvent,
  type SubjectRequestState,
} from '../../../../libs/domain/src';
import {
  completeSubjectRequestUpdate,
  extendSubjectRequestUpdate,
  openSubjectRequestUpdate,
  subjectRequestSnapshotQuery,
  type SubjectRequestSnapshot,
  type SubjectRequestWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import type { SubjectRequestFacts } from '../mail/notices';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { ENGINE, now } from '../kit/ledger';

type SubjectRequestLedger = FileLedger<SubjectRequestCommand, SubjectRequestEvent | EmailSent, SubjectRequestState>;


function facts(s: Exclude<SubjectRequestState, { status: 'none' }>, parties: SubjectRequestWorkflowInput['parties']): SubjectRequestFacts {
  return {
    ...(parties.controllerName ? { controllerName: parties.controllerName } : {}),
    requestId: s.requestId,
    contractId: s.contractId,
    requestType: s.requestType,
    requestReference: s.reference,
    receivedAt: s.receivedAt,
    deadline: effectiveDeadline(s),
    assistanceDue: assistanceDue(s),
  };
}

/**
 * One data-subject request file (P7, DESIGN §3.2), from its opening to its completion: the only
 * writer of its stream. Opened by update-with-start; a request the processor received is passed to
 * the controller at once (an email, then `SubjectRequestForwarded`); its assistance target reminds
 * account management P3D before and escalates to the processor's DPO when it passes.
 */
export async function subjectRequestWorkflow(input: SubjectRequestWorkflowInput): Promise<SubjectRequestSnapshot> {
  const { requestId, parties } = input;
  const ledger: SubjectRequestLedger = openLedger(subjectRequestStream, requestId, input.carried);

  setHandler(subjectRequestSnapshotQuery, () => ledger.snapshot());
  setHandler(
    openSubjectRequestUpdate,
    ({ open, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'OpenSubjectRequest', data: { ...open, openedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ open }) => ledger.admit({ type: 'OpenSubjectRequest', data: { ...open, openedAt: now() } }) },
  );
  ledger.onCommand(extendSubjectRequestUpdate, ({ months, reason }, at) => ({ type: 'ExtendSubjectRequest', data: { months, reason, extendedAt: at } }));
  ledger.onCommand(completeSubjectRequestUpdate, ({ outcome, reason }, at) => ({ type: 'CompleteSubjectRequest', data: { outcome, reason, completedAt: at } }));

  await runEntity(subjectRequestStream, ledger, {
    async step() {
      const s = ledger.state;
      // Received by the processor: passed to the controller without undue delay, once.
      if (s.status === 'open' && s.receivedBy === 'processor' && s.forwardedAt === null) {
        await ledger.serially(async () => {
          await ledger.mail.send({ kind: 'subject-request-forwarded', ...facts(s, parties), controllerEmail: parties.controllerEmail, controllerDpoEmail: parties.controllerDpoEmail, contractReference: parties.contractReference });
          await ledger.commit({ type: 'ForwardSubjectRequest', data: { forwardedAt: now() } }, ENGINE);
        });
      }
    },
    async afterTimer(_timer, events) {
      const s = ledger.state;
      if (s.status === 'none') return;
      for (const e of events) {
        // The outbox's message id names the target: a retried activity sends each notice once.
        if (e.type === 'AssistanceReminded') await ledger.mail.send({ kind: 'assistance-reminder', ...facts(s, parties), assistanceDue: e.data.dueAt });
        if (e.type === 'AssistanceEscalated') await ledger.mail.send({ kind: 'assistance-escalation', ...facts(s, parties), assistanceDue: e.data.dueAt });
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof subjectRequestWorkflow>({ requestId, parties, carried }),
  });
  return ledger.snapshot();
}
