import type { Instant } from '../calendar';

/** How a documented instruction reached the processor (GDPR 28(3)(a), clause P2). */
export const INSTRUCTION_CHANNELS = ['email', 'letter', 'portal', 'ticket', 'meeting', 'phone'] as const;
export type InstructionChannel = (typeof INSTRUCTION_CHANNELS)[number];

/** An instruction cannot have been received later than this after the engine's clock (clock skew). */
export const INSTRUCTION_SKEW = 'PT5M';

export interface InstructionDocumentedData {
  readonly instructionId: string;
  readonly contractId: string;
  readonly receivedAt: Instant;
  readonly channel: InstructionChannel;
  readonly summary: string;
  readonly documentRef: string;
  readonly documentedAt: Instant;
}

export type InstructionCommand =
  | {
      readonly type: 'DocumentInstruction';
      readonly data: {
        readonly instructionId: string;
        readonly contractId: string;
        readonly receivedAt: unknown;
        readonly channel: unknown;
        readonly summary: unknown;
        readonly documentRef: unknown;
        /** When the contract was ordered: no instruction under it can have been received before. */
        readonly contractOrderedAt: Instant;
        readonly documentedAt: Instant;
      };
    }
  | { readonly type: 'AcknowledgeInstruction'; readonly data: { readonly acknowledgedAt: Instant } }
  | { readonly type: 'ExecuteInstruction'; readonly data: { readonly executedAt: Instant } }
  | { readonly type: 'ObjectToInstruction'; readonly data: { readonly reason: unknown; readonly objectedAt: Instant } }
  | { readonly type: 'ConfirmInstruction'; readonly data: { readonly confirmedAt: Instant } }
  | { readonly type: 'WithdrawInstruction'; readonly data: { readonly withdrawnAt: Instant } };

export type InstructionEvent =
  | { readonly type: 'InstructionDocumented'; readonly data: InstructionDocumentedData }
  | { readonly type: 'InstructionAcknowledged'; readonly data: { readonly acknowledgedAt: Instant } }
  | { readonly type: 'InstructionExecuted'; readonly data: { readonly executedAt: Instant } }
  | { readonly type: 'InstructionObjected'; readonly data: { readonly reason: string; readonly objectedAt: Instant } }
  | { readonly type: 'InstructionConfirmed'; readonly data: { readonly confirmedAt: Instant } }
  | { readonly type: 'InstructionWithdrawn'; readonly data: { readonly withdrawnAt: Instant } };

export type InstructionStatus = 'documented' | 'acknowledged' | 'on_hold' | 'executed' | 'withdrawn';

export type InstructionState =
  | { readonly status: 'none' }
  | (InstructionDocumentedData & {
      readonly status: InstructionStatus;
      readonly acknowledgedAt: Instant | null;
      readonly executedAt: Instant | null;
      /** The processor's objection (GDPR 28(3) last paragraph): the instruction waits for the controller's answer. */
      readonly objection: { readonly reason: string; readonly objectedAt: Instant } | null;
      readonly confirmedAt: Instant | null;
      readonly withdrawnAt: Instant | null;
    });

export type DocumentedInstruction = Exclude<InstructionState, { status: 'none' }>;
