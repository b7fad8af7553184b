import { contractStream } from '../contract/contract.decider';
import type { ContractState } from '../contract/contract.state';
import { specify } from '../kit/given';

/** Personal data of the controller that must never appear in a refusal. */
function personalData(state: ContractState): string[] {
  if (state.status === 'none') return [];
  const { name, email, address, dpoEmail } = state.controller;
  return [name, email, address, dpoEmail].filter((v): v is string => v !== null);
}

/** given(history).when(command).then(events) for the contract decider. */
export const given = specify(contractStream, personalData);
