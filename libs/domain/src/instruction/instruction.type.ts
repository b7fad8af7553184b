import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { instructionStream } from './instruction.decider';
import type { DocumentedInstruction, InstructionState } from './instruction.model';

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
});
