import { addDuration, isAfter, isBefore, type Instant } from '../calendar';
import { requireInstant, requireText } from '../contract/contract.validation';
import { conflictError, notFoundError, ruleError, validationError } from '../errors';
import { FIELDS } from '../fields';
import type { StreamType } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';
import {
  INSTRUCTION_CHANNELS,
  INSTRUCTION_SKEW,
  type DocumentedInstruction,
  type InstructionChannel,
  type InstructionCommand,
  type InstructionEvent,
  type InstructionState,
  type InstructionStatus,
} from './instruction.model';

function documented(state: InstructionState): DocumentedInstruction {
  if (state.status === 'none') throw notFoundError('instruction.not_found', 'no such instruction');
  return state;
}

function inStatus(state: InstructionState, allowed: readonly InstructionStatus[], what: string): DocumentedInstruction {
  const s = documented(state);
  if (!allowed.includes(s.status)) {
    const code = s.status === 'on_hold' ? 'instruction.on_hold' : 'instruction.wrong_status';
    throw conflictError(code, `${what} needs an instruction that is ${allowed.join(' or ')}; this one is ${s.status}`, { status: s.status });
  }
  return s;
}

export function decide(command: InstructionCommand, state: InstructionState): InstructionEvent[] {
  switch (command.type) {
    case 'DocumentInstruction': {
      const d = command.data;
      if (typeof d.channel !== 'string' || !(INSTRUCTION_CHANNELS as readonly string[]).includes(d.channel)) {
        throw validationError('instruction.invalid_channel', `channel must be one of ${INSTRUCTION_CHANNELS.join(', ')}`, { field: 'channel', allowed: [...INSTRUCTION_CHANNELS] });
      }
      const receivedAt = requireInstant(d.receivedAt, 'receivedAt');
      const data = {
        instructionId: d.instructionId,
        contractId: d.contractId,
        receivedAt,
        channel: d.channel as InstructionChannel,
        summary: requireText(d.summary, 'summary', FIELDS.instructionSummary),
        documentRef: requireText(d.documentRef, 'documentRef', FIELDS.documentRef),
        documentedAt: d.documentedAt,
      };
      if (isBefore(receivedAt, d.contractOrderedAt)) throw ruleError('instruction.received_before_order', `receivedAt precedes the contract's order ${d.contractOrderedAt}`, { orderedAt: d.contractOrderedAt });
      if (isAfter(receivedAt, addDuration(d.documentedAt, INSTRUCTION_SKEW))) throw ruleError('instruction.received_in_future', `receivedAt lies more than ${INSTRUCTION_SKEW} after the engine's clock`, { field: 'receivedAt' });
      if (state.status !== 'none') {
        const same = state.contractId === data.contractId && state.receivedAt === receivedAt && state.channel === data.channel && state.summary === data.summary && state.documentRef === data.documentRef;
        if (same) return [];
        throw conflictError('instruction.exists', 'an instruction with this id exists with other data');
      }
      return [{ type: 'InstructionDocumented', data }];
    }
    case 'AcknowledgeInstruction': {
      const s = documented(state);
      if (s.acknowledgedAt !== null && s.status !== 'on_hold') return [];
      inStatus(state, ['documented'], 'an acknowledgement');
      return [{ type: 'InstructionAcknowledged', data: command.data }];
    }
    case 'ExecuteInstruction': {
      const s = documented(state);
      if (s.status === 'executed') return [];
      // Documented, then acknowledged, then executed; never while the processor's objection stands.
      inStatus(state, ['acknowledged'], 'an execution');
      return [{ type: 'InstructionExecuted', data: command.data }];
    }
    case 'ObjectToInstruction': {
      const reason = requireText(command.data.reason, 'reason', FIELDS.reason);
      const s = documented(state);
      if (s.status === 'on_hold' && s.objection?.reason === reason) return [];
      inStatus(state, ['documented', 'acknowledged'], 'an objection');
      return [{ type: 'InstructionObjected', data: { reason, objectedAt: command.data.objectedAt } }];
    }
    case 'ConfirmInstruction': {
      const s = documented(state);
      if (s.status !== 'on_hold' && s.confirmedAt !== null && s.objection !== null) return [];
      inStatus(state, ['on_hold'], "the controller's confirmation");
      return [{ type: 'InstructionConfirmed', data: command.data }];
    }
    case 'WithdrawInstruction': {
      const s = documented(state);
      if (s.status === 'withdrawn') return [];
      inStatus(state, ['on_hold'], "the controller's withdrawal");
      return [{ type: 'InstructionWithdrawn', data: command.data }];
    }
  }
}

export function evolve(state: InstructionState, event: InstructionEvent): InstructionState {
  if (event.type === 'InstructionDocumented') {
    return { status: 'documented', ...event.data, acknowledgedAt: null, executedAt: null, objection: null, confirmedAt: null, withdrawnAt: null };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'InstructionAcknowledged':
      return { ...state, status: 'acknowledged', acknowledgedAt: event.data.acknowledgedAt };
    case 'InstructionExecuted':
      return { ...state, status: 'executed', executedAt: event.data.executedAt };
    case 'InstructionObjected':
      return { ...state, status: 'on_hold', objection: event.data, confirmedAt: null };
    case 'InstructionConfirmed':
      // The hold is released: the instruction takes up where it stood.
      return { ...state, status: state.acknowledgedAt !== null ? 'acknowledged' : 'documented', confirmedAt: event.data.confirmedAt };
    case 'InstructionWithdrawn':
      return { ...state, status: 'withdrawn', withdrawnAt: event.data.withdrawnAt };
  }
}

export const initialState = (): InstructionState => ({ status: 'none' });

const EVENT_VERSIONS: Readonly<Record<InstructionEvent['type'], number>> = {
  InstructionDocumented: 1,
  InstructionAcknowledged: 1,
  InstructionExecuted: 1,
  InstructionObjected: 1,
  InstructionConfirmed: 1,
  InstructionWithdrawn: 1,
};

function occurredAt(event: InstructionEvent): Instant {
  switch (event.type) {
    case 'InstructionDocumented':
      return event.data.documentedAt;
    case 'InstructionAcknowledged':
      return event.data.acknowledgedAt;
    case 'InstructionExecuted':
      return event.data.executedAt;
    case 'InstructionObjected':
      return event.data.objectedAt;
    case 'InstructionConfirmed':
      return event.data.confirmedAt;
    case 'InstructionWithdrawn':
      return event.data.withdrawnAt;
  }
}

const baseStream: StreamType<InstructionCommand, InstructionEvent, InstructionState> = {
  name: 'instruction',
  decide,
  evolve,
  initialState,
  eventVersions: EVENT_VERSIONS,
  occurredAt,
  upcast: (stored) => ({ type: stored.type, data: stored.data }) as InstructionEvent,
  // No clocks: an instruction waits for people.
  nextTimer: () => null,
  isFinal: (state) => state.status === 'executed' || state.status === 'withdrawn',
};

/** A documented instruction of the controller's (P2, C2; DESIGN §3.3): one stream per instruction, under its contract. */
export const instructionStream = withEmailReceipts(baseStream);

export interface InstructionView {
  readonly id: string;
  readonly contractId: string;
  readonly status: InstructionStatus;
  readonly receivedAt: Instant;
  readonly channel: InstructionChannel;
  readonly summary: string;
  readonly documentRef: string;
  readonly documentedAt: Instant;
  readonly acknowledgedAt: Instant | null;
  readonly executedAt: Instant | null;
  readonly objectionReason: string | null;
  readonly objectedAt: Instant | null;
  readonly confirmedAt: Instant | null;
  readonly withdrawnAt: Instant | null;
  readonly overdue: string[];
}

export function toInstructionView(state: InstructionState): InstructionView {
  const s = documented(state);
  return {
    id: s.instructionId,
    contractId: s.contractId,
    status: s.status,
    receivedAt: s.receivedAt,
    channel: s.channel,
    summary: s.summary,
    documentRef: s.documentRef,
    documentedAt: s.documentedAt,
    acknowledgedAt: s.acknowledgedAt,
    executedAt: s.executedAt,
    objectionReason: s.objection?.reason ?? null,
    objectedAt: s.objection?.objectedAt ?? null,
    confirmedAt: s.confirmedAt,
    withdrawnAt: s.withdrawnAt,
    // No clock of the processor's runs on an instruction.
    overdue: [],
  };
}
