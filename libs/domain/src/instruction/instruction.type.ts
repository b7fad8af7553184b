import { z } from 'zod';
import { CANONICAL_UUID } from '../fields';
import { fileType, type ContractParties } from '../kit/file-type';
import { at, body, instant, oneOf, text } from '../kit/schema';
import { instructionStream, toInstructionView } from './instruction.decider';
import { INSTRUCTION_CHANNELS, type DocumentedInstruction, type InstructionCommand, type InstructionState } from './instruction.model';

/** The controller told at once that the processor holds an instruction it considers unlawful (P2, GDPR 28(3)). */
export type InstructionObjectionMail = {
  readonly kind: 'instruction-objection';
  readonly instructionId: string;
  readonly contractId: string;
  readonly receivedAt: string;
  readonly summary: string;
  readonly documentRef: string;
  readonly reason: string;
  readonly objectedAt: string;
} & ContractParties;

const answer = (summary: string, type: 'AcknowledgeInstruction' | 'ExecuteInstruction' | 'ConfirmInstruction' | 'WithdrawInstruction', path: string, field: string) => ({
  summary,
  roles: ['account_manager'] as const,
  path,
  schema: () => body({}),
  toCommand: (_: unknown, c: { recordedAt: string }) => ({ type, data: { [field]: c.recordedAt } }) as InstructionCommand,
});

/** A documented instruction of the controller (P1, P2, C2; DESIGN §3.3). */
export const instructionType = fileType<InstructionState>({
  name: 'instruction',
  noun: 'instruction',
  parent: 'contract',
  parentIdOf: (s) => (s as DocumentedInstruction).contractId,
  idPattern: CANONICAL_UUID,
  stream: instructionStream,
  statuses: { documented: 'open', acknowledged: 'open', on_hold: 'open', executed: 'final', withdrawn: 'final' },
  clocks: null,
  readModel: { table: 'instructions', listedAt: (s) => (s as DocumentedInstruction).receivedAt },
  route: { path: 'instructions', param: 'iid', plural: 'documented instructions' },
  commands: {
    document: {
      summary: 'P2, C2: document an instruction of the controller (received when, by which channel, what, under which document). Status documented.',
      roles: ['account_manager'],
      creates: true,
      schema: () => body({
        receivedAt: instant({ description: 'When the controller gave the instruction.', example: '2027-03-01T09:00:00Z' }),
        channel: oneOf(INSTRUCTION_CHANNELS, { description: 'How it reached the processor.' }),
        summary: text('instructionSummary', { example: 'Keep backups of the shop database for 90 days instead of 30' }),
        documentRef: text('documentRef', { example: 'TICKET-2027-0311' }),
      }),
      portal: { act: 'Give us a documented instruction', done: 'Your instruction is recorded. We acknowledge it, or tell you at once if we consider it unlawful.', preset: (at) => ({ receivedAt: at, channel: 'portal' }) },
      toCommand: (b, c): InstructionCommand => ({
        type: 'DocumentInstruction',
        data: { instructionId: c.id, contractId: c.contractId!, receivedAt: b.receivedAt, channel: b.channel, summary: b.summary, documentRef: b.documentRef, contractOrderedAt: c.contract!.orderedAt, documentedAt: c.recordedAt },
      }),
    },
    acknowledge: answer('The processor acknowledges the instruction. Status acknowledged.', 'AcknowledgeInstruction', 'acknowledgement', 'acknowledgedAt'),
    execute: answer('The instruction was carried out: only once acknowledged, never while on hold. Status executed.', 'ExecuteInstruction', 'execution', 'executedAt'),
    object: {
      summary: 'The processor considers the instruction unlawful: the controller is emailed at once and the instruction is on hold. Status on_hold.',
      roles: ['dpo'],
      path: 'objection',
      schema: () => body({ reason: text('reason', { example: 'keeping the backups longer has no legal basis the controller named' }) }),
      toCommand: (b, c): InstructionCommand => ({ type: 'ObjectToInstruction', data: { reason: b.reason, objectedAt: c.recordedAt } }),
    },
    confirm: {
      ...answer('The controller confirms the instruction despite the objection: the hold is released.', 'ConfirmInstruction', 'confirmation', 'confirmedAt'),
      portal: { act: 'Confirm the instruction despite our objection', done: 'Your confirmation is recorded: the hold is released.', offered: (s: InstructionState) => s.status === 'on_hold' },
    },
    withdraw: {
      ...answer('The controller withdraws the instruction after the objection. Status withdrawn.', 'WithdrawInstruction', 'withdrawal', 'withdrawnAt'),
      irreversible: true,
      portal: { act: 'Withdraw the instruction', done: 'The instruction is withdrawn.', offered: (s: InstructionState) => s.status === 'on_hold' },
    },
  },
  view: {
    of: (s) => toInstructionView(s),
    schema: () => z.strictObject({
      id: z.string().meta({ format: 'uuid' }),
      contractId: z.string().meta({ format: 'uuid' }),
      status: z.enum(['documented', 'acknowledged', 'on_hold', 'executed', 'withdrawn']),
      receivedAt: at(),
      channel: z.enum(INSTRUCTION_CHANNELS),
      summary: z.string(),
      documentRef: z.string(),
      documentedAt: at(),
      acknowledgedAt: at().nullable(),
      executedAt: at().nullable(),
      objectionReason: z.string().nullable().meta({ description: 'Why the processor considers the instruction unlawful (GDPR 28(3)).' }),
      objectedAt: at().nullable(),
      confirmedAt: at('The controller confirmed the instruction despite the objection: the hold is released.').nullable(),
      withdrawnAt: at().nullable(),
      overdue: z.array(z.string()).meta({ description: 'The clocks past due and not met (an instruction has none).' }),
    }),
  },
  // The objection goes to the controller at once, once (a later objection is another email).
  emails: (state, parties) => {
    const s = state as DocumentedInstruction;
    if (s.status !== 'on_hold' || !s.objection) return [];
    const mail: InstructionObjectionMail = { kind: 'instruction-objection', instructionId: s.instructionId, contractId: s.contractId, receivedAt: s.receivedAt, summary: s.summary, documentRef: s.documentRef, reason: s.objection.reason, objectedAt: s.objection.objectedAt, ...parties };
    return [mail];
  },
});
