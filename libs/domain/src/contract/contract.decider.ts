import type { StreamType } from '../kit/decider';
import { withEmailReceipts } from '../kit/mail';
import type { ContractCommand } from './contract.commands';
import { decide } from './contract.decide';
import { EVENT_SCHEMA_VERSIONS, occurredAt, type ContractEvent } from './contract.events';
import { evolve } from './contract.evolve';
import { initialState, type ContractState } from './contract.state';
import { nextTimer } from './contract.timers';
import { upcast } from './contract.upcasting';

/** The contract's stream: its decider, its clocks, and what the store records of its events. */
const baseStream: StreamType<ContractCommand, ContractEvent, ContractState> = {
  name: 'contract',
  decide,
  evolve,
  initialState,
  eventVersions: EVENT_SCHEMA_VERSIONS,
  occurredAt,
  upcast,
  nextTimer,
  // L12: once destroyed the contract only answers reads; its workflow is done.
  isFinal: (state) => state.status === 'destroyed',
};

/** …with the receipts of its emails (the certificate, the escalations) in its trail. */
export const contractStream = withEmailReceipts(baseStream);
