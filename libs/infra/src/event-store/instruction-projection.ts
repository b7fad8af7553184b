import { instructionStream, type InstructionState } from '../../../domain/src';
import { type InlineProjection } from './event-store';
import { WholeStateSource, WholeStateView, type Folding } from './whole-state-projection';

export const INSTRUCTION_STREAM = instructionStream.name;

type Documented = Exclude<InstructionState, { status: 'none' }>;

export const instructionStateSource = () =>
  new WholeStateSource<InstructionState>(INSTRUCTION_STREAM, `SELECT r.state, r.version FROM instructions r WHERE r.id = $1::uuid`, instructionStream as unknown as Folding<InstructionState>);

/** `instructions`: one row per documented instruction, under its contract (no clocks: nothing in the inbox). */
export const instructionProjections = (): InlineProjection<InstructionState>[] => [
  new WholeStateView<InstructionState>(
    'instructions',
    INSTRUCTION_STREAM,
    'instructions',
    [
      { name: 'contract_id', type: 'uuid', of: (s) => (s as Documented).contractId, updatable: false },
      { name: 'status', type: 'text', of: (s) => s.status, updatable: true },
      { name: 'received_at', type: 'timestamptz', of: (s) => (s as Documented).receivedAt, updatable: false },
    ],
    (s) => s.status !== 'none',
  ),
];
