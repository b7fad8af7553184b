import { continueAsNew, setHandler } from '@temporalio/workflow';
import { instructionStream, type EmailSent, type InstructionCommand, type InstructionEvent, type InstructionState } from '../../../../libs/domain/src';
import {
  acknowledgeInstructionUpdate,
  confirmInstructionUpdate,
  documentInstructionUpdate,
  executeInstructionUpdate,
  instructionSnapshotQuery,
  objectToInstructionUpdate,
  withdrawInstructionUpdate,
  type InstructionSnapshot,
  type InstructionWorkflowInput,
} from '../../../../libs/infra/src/temporal/messages';
import { openLedger, runEntity, type FileLedger } from '../kit/entity';
import { now } from '../kit/ledger';

type InstructionLedger = FileLedger<InstructionCommand, InstructionEvent | EmailSent, InstructionState>;

/**
 * One documented instruction (P2, C2; DESIGN §3.3), from its documentation to its execution or
 * withdrawal: the only writer of its stream. Opened by update-with-start; the processor's
 * objection emails the controller at once and holds the instruction until the controller confirms
 * or withdraws it.
 */
export async function instructionWorkflow(input: InstructionWorkflowInput): Promise<InstructionSnapshot> {
  const { instructionId, parties } = input;
  const ledger: InstructionLedger = openLedger(instructionStream, instructionId, input.carried);

  setHandler(instructionSnapshotQuery, () => ledger.snapshot());
  setHandler(
    documentInstructionUpdate,
    ({ document, actor }) =>
      ledger.serially(async () => {
        const events = await ledger.commit({ type: 'DocumentInstruction', data: { ...document, documentedAt: now() } }, actor);
        return { ...ledger.snapshot(), created: events.length > 0 };
      }),
    { validator: ({ document }) => ledger.admit({ type: 'DocumentInstruction', data: { ...document, documentedAt: now() } }) },
  );
  ledger.onCommand(acknowledgeInstructionUpdate, (_, at) => ({ type: 'AcknowledgeInstruction', data: { acknowledgedAt: at } }));
  ledger.onCommand(executeInstructionUpdate, (_, at) => ({ type: 'ExecuteInstruction', data: { executedAt: at } }));
  ledger.onCommand(objectToInstructionUpdate, ({ reason }, at) => ({ type: 'ObjectToInstruction', data: { reason, objectedAt: at } }));
  ledger.onCommand(confirmInstructionUpdate, (_, at) => ({ type: 'ConfirmInstruction', data: { confirmedAt: at } }));
  ledger.onCommand(withdrawInstructionUpdate, (_, at) => ({ type: 'WithdrawInstruction', data: { withdrawnAt: at } }));

  await runEntity(instructionStream, ledger, {
    async step() {
      const s = ledger.state;
      // The objection goes to the controller at once, once (a later objection is another email).
      if (s.status === 'on_hold' && s.objection) {
        await ledger.mail.send({
          kind: 'instruction-objection',
          instructionId,
          contractId: s.contractId,
          receivedAt: s.receivedAt,
          summary: s.summary,
          documentRef: s.documentRef,
          reason: s.objection.reason,
          objectedAt: s.objection.objectedAt,
          ...parties,
        });
      }
    },
    continueAsNew: (carried) => continueAsNew<typeof instructionWorkflow>({ instructionId, parties, carried }),
  });
  return ledger.snapshot();
}
