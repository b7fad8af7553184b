import { continueAsNew, setHandler } from '@temporalio/workflow';
import { transferNoticeStream, type EmailSent, type TransferNoticeCommand, type TransferNoticeEvent, type TransferNoticeState } from '../../../../libs/domain/src';
import { recordTransferNoticeUpdate, transferNoticeSnapshotQuery, type TransferNoticeSnapshot, type TransferNoticeWorkflowInput } from '../../../../libs/infra/src/temporal/messages';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { now } from '../kit/ledger';

type TransferNoticeLedger = FileLedger<TransferNoticeCommand, TransferNoticeEvent | EmailSent, TransferNoticeState>;

/**
 * One transfer notice (P2, DESIGN §3.3): the controller is emailed at once, before the planned
 * transfer; a notice the law forbids records its reason and sends nothing. Not sent by the planned
 * date (the relay down), the processor's DPO is told once.
 */
export async function transferNoticeWorkflow(input: TransferNoticeWorkflowInput): Promise<TransferNoticeSnapshot> {
  const { noticeId, parties } = input;
  const ledger: TransferNoticeLedger = openLedger(transferNoticeStream, noticeId, input.carried);
  setHandler(transferNoticeSnapshotQuery, () => ledger.snapshot());
  setHandler(
    recordTransferNoticeUpdate,
    ({ record, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'RecordTransferNotice', data: { ...record, recordedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ record }) => ledger.admit({ type: 'RecordTransferNotice', data: { ...record, recordedAt: now() } }) },
  );

  const facts = () => {
    const s = ledger.state as Exclude<TransferNoticeState, { status: 'none' }>;
    return { noticeId, contractId: s.contractId, destination: s.destination, legalObligation: s.legalObligation, plannedAt: s.plannedAt, ...parties };
  };
  await runEntity(transferNoticeStream, ledger, {
    async step() {
      if (ledger.state.status === 'pending') await ledger.mail.send({ kind: 'transfer-notice', ...facts() });
    },
    async afterTimer(_timer, events) {
      if (events.some((e) => e.type === 'TransferNoticeEscalated')) await ledger.mail.send({ kind: 'transfer-escalation', ...facts() });
    },
    continueAsNew: (carried) => continueAsNew<typeof transferNoticeWorkflow>({ noticeId, parties, carried }),
  });
  return ledger.snapshot();
}
