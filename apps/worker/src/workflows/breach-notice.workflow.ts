import { continueAsNew, setHandler, sleep } from '@temporalio/workflow';
import { breachNoticeStream, controllerAuthorityDue, type BreachNoticeCommand, type BreachNoticeEvent, type BreachNoticeState, type EmailSent, type IncidentContent } from '#domain';
import {
  acknowledgeBreachNoticeUpdate,
  breachNoticeSnapshotQuery,
  incidentClosedSignal,
  incidentUpdatedSignal,
  type BreachNoticeSnapshot,
  type BreachNoticeWorkflowInput,
} from '#infra/temporal/messages';
import type { BreachFacts } from '../mail/notice';
import { openLedger, runEntity, UNEXPECTED_FAILURE_BACKOFF, type FileLedger } from '../kit/entity';
import { ENGINE, isDomainFailure, isDue, now } from '../kit/ledger';

type BreachNoticeLedger = FileLedger<BreachNoticeCommand, BreachNoticeEvent | EmailSent, BreachNoticeState>;

/**
 * One breach notice (P8, DESIGN §3.1): the controller of one affected contract is told at once,
 * by email through the outbox, with what GDPR 33(3) asks; the notice is `sent` when the SMTP
 * server accepted it. Missing its target (BREACH_NOTICE_TARGET after awareAt) escalates to the
 * processor's DPO; once sent, no acknowledgement within PT24H reminds account management. The
 * incident's updates arrive as supplements, its closure closes the notice.
 */
export async function breachNoticeWorkflow(input: BreachNoticeWorkflowInput): Promise<BreachNoticeSnapshot> {
  const { noticeId, parties, open } = input;
  const ledger: BreachNoticeLedger = openLedger(breachNoticeStream, noticeId, input.carried);
  setHandler(breachNoticeSnapshotQuery, () => ledger.snapshot());

  // Opened before anything else is heard: the incident's signals wait (buffered) for their handlers.
  if (ledger.state.status === 'none') {
    const { target, incidentId, contractId, awareAt, content } = open;
    await ledger.serially(() => ledger.commit({ type: 'OpenBreachNotice', data: { noticeId, incidentId, contractId, awareAt, content, target, openedAt: now() } }, ENGINE));
  }
  // The incident's word is recorded whatever it takes: a write refused past its retries is tried again.
  const recordRelayed = async (command: (at: string) => BreachNoticeCommand): Promise<void> => {
    for (;;) {
      try {
        await ledger.serially(() => ledger.commit(command(now()), ENGINE));
        return;
      } catch (e) {
        // The domain refusing it (it never does for these) would refuse it again: nothing to retry.
        if (isDomainFailure(e)) return;
        await sleep(UNEXPECTED_FAILURE_BACKOFF);
      }
    }
  };
  setHandler(incidentUpdatedSignal, ({ number, changes }) => recordRelayed((recordedAt) => ({ type: 'RecordSupplement', data: { number, changes, recordedAt } })));
  setHandler(incidentClosedSignal, () => recordRelayed((closedAt) => ({ type: 'CloseBreachNotice', data: { closedAt } })));
  ledger.onCommand(acknowledgeBreachNoticeUpdate, ({ acknowledgedAt }, at) => ({ type: 'AcknowledgeBreachNotice', data: { acknowledgedAt, recordedAt: at } }));

  const facts = (): BreachFacts => {
    const s = ledger.state as Exclude<BreachNoticeState, { status: 'none' }>;
    return { noticeId, incidentId: s.incidentId, contractId: s.contractId, awareAt: s.awareAt, ...parties };
  };

  await runEntity(breachNoticeStream, ledger, {
    async step() {
      const s = ledger.state;
      if (s.status === 'none') return;
      // The notice at once, then each supplement in its turn; each enqueued once (MailReceipts).
      const notice = { kind: 'breach-notice', ...facts(), content: s.content } as const;
      await ledger.mail.send(notice);
      // At the target, a report still on its way must not read as a notice never sent: ask the outbox.
      if (s.sentAt === null && s.escalated === null && isDue(s.targetDue)) await ledger.mail.pull(notice);
      let content: IncidentContent = s.content;
      for (const supplement of s.supplements) {
        content = { ...content, ...supplement.changes };
        await ledger.mail.send({ kind: 'breach-supplement', ...facts(), number: supplement.number, changes: supplement.changes, content });
      }
    },
    async afterTimer(_timer, events) {
      for (const e of events) {
        if (e.type === 'BreachNoticeEscalated') await ledger.mail.send({ kind: 'breach-escalation', ...facts(), targetDue: e.data.dueAt });
        if (e.type === 'AcknowledgementReminded') {
          const s = ledger.state as Exclude<BreachNoticeState, { status: 'none' }>;
          // The controller's own deadline as the domain states it (controllerAuthorityDue), never recomputed in the wording.
          await ledger.mail.send({ kind: 'breach-acknowledgement-reminder', ...facts(), sentAt: s.sentAt!, authorityDue: controllerAuthorityDue(s)! });
        }
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof breachNoticeWorkflow>({ noticeId, parties, open, carried }),
  });
  return ledger.snapshot();
}
