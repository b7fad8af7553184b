import { CANONICAL_UUID } from '../fields';
import { fileType } from '../kit/file-type';
import { contractStream } from './contract.decider';
import type { ContractState } from './contract.state';
import { CONTRACT_CLOCK_EVENTS, CONTRACT_CLOCK_KINDS, openClocks } from './contract.timers';

/** The contract (DESIGN §2): from its order to the certificate of its data's destruction (L1–L12). */
export const contractType = fileType<ContractState>({
  name: 'contract',
  noun: 'contract',
  parent: 'processor',
  idPattern: CANONICAL_UUID,
  stream: contractStream,
  // L12: once destroyed the contract only answers reads.
  statuses: { ordered: 'open', active: 'open', expired: 'open', terminated: 'open', cancelled: 'open', destroyed: 'final' },
  clocks: { kinds: CONTRACT_CLOCK_KINDS, handles: CONTRACT_CLOCK_EVENTS, of: openClocks },
  // Its row is merged field by field, with its renewals and locations beside it (contract-projection.ts).
  readModel: { table: 'contracts', custom: true },
  outFacts: (s): Readonly<Record<string, string | null>> =>
    s.status === 'none'
      ? {}
      : { termEnd: s.termEnd, endedAt: s.endedAt, endKind: s.endKind, destructionDeadline: s.destruction.deadline, certificateId: s.destruction.certificate?.certificateId ?? null },
});

/** Every status a contract can be in, in the order of its life. */
export const CONTRACT_STATUSES = Object.keys(contractType.statuses) as Exclude<ContractState['status'], 'none'>[];

/** A contract whose processing began and whose data is not destroyed yet (L2–L10): active, or ended awaiting destruction. */
export const IN_PROCESSING: readonly (typeof CONTRACT_STATUSES)[number][] = ['active', 'expired', 'terminated'];

/** Whether the contract is in processing: its processing began, and its status is one of IN_PROCESSING. */
export function inProcessing(state: ContractState): boolean {
  return state.status !== 'none' && IN_PROCESSING.includes(state.status) && state.processingStartedAt !== null;
}
