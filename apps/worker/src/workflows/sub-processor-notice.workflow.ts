import { continueAsNew, proxyActivities, setHandler } from '@temporalio/workflow';
import { subProcessorNoticeStream, type EmailSent, type SubProcessorNoticeCommand, type SubProcessorNoticeEvent, type SubProcessorNoticeState } from '#domain';
import { objectToSubProcessorChangeUpdate, subProcessorNoticeSnapshotQuery, type SubProcessorNoticeSnapshot, type SubProcessorNoticeWorkflowInput } from '#infra/temporal/messages';
import type { SubProcessorActivities } from '../activities';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { DATABASE_ACTIVITY, ENGINE, now } from '../kit/ledger';

type SubProcessorNoticeLedger = FileLedger<SubProcessorNoticeCommand, SubProcessorNoticeEvent | EmailSent, SubProcessorNoticeState>;

const contracts = proxyActivities<Pick<SubProcessorActivities, 'applySubProcessorChange'>>(DATABASE_ACTIVITY);

/**
 * One affected contract's notice of a sub-processor change (DESIGN §3.8): its controller is emailed
 * at once with the objection period and the effective date; an objection is recorded and emails
 * account management; on the effective date the contract takes the change — unless it objected —
 * through its own workflow, and the notice records the contract's locations from then on.
 */
export async function subProcessorNoticeWorkflow(input: SubProcessorNoticeWorkflowInput): Promise<SubProcessorNoticeSnapshot> {
  const { noticeId, contractId, parties, change } = input;
  const ledger: SubProcessorNoticeLedger = openLedger(subProcessorNoticeStream, noticeId, input.carried);
  setHandler(subProcessorNoticeSnapshotQuery, () => ledger.snapshot());
  if (ledger.state.status === 'none') {
    await ledger.serially(() => ledger.commit({ type: 'OpenSubProcessorNotice', data: { noticeId, contractId, change, openedAt: now() } }, ENGINE));
  }
  ledger.onCommand(objectToSubProcessorChangeUpdate, ({ reason }, at) => ({ type: 'ObjectToSubProcessorChange', data: { reason, objectedAt: at } }));

  const facts = { noticeId, contractId, change, ...parties };
  await runEntity(subProcessorNoticeStream, ledger, {
    async step() {
      const s = ledger.state;
      if (s.status === 'none') return;
      await ledger.mail.send({ kind: 'sub-processor-change', ...facts });
      if (s.objection) await ledger.mail.send({ kind: 'sub-processor-objection', ...facts, reason: s.objection.reason });
      if (s.status === 'applying') {
        const added = change.location;
        const result = await contracts.applySubProcessorChange({ contractId, changeId: change.changeId, added, removed: change.replaces, dueAt: change.effectiveAt });
        await ledger.serially(() => ledger.commit({ type: 'RecordChangeApplied', data: { ...result, recordedAt: now() } }, ENGINE));
      }
    },
    async afterTimer(_timer, events) {
      // Never told in time: the contract keeps its locations, and account management must reach the controller.
      if (events.some((e) => e.type === 'SubProcessorChangeDeclined' && e.data.because === 'controller_not_told')) await ledger.mail.send({ kind: 'sub-processor-not-told', ...facts });
    },
    continueAsNew: (carried) => continueAsNew<typeof subProcessorNoticeWorkflow>({ noticeId, contractId, parties, change, carried }),
  });
  return ledger.snapshot();
}
