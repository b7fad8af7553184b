import { CALLER_COMMAND_TYPES, CONTRACT_COMMAND_TYPES, type CallerCommandType, type ContractCommandType } from './contract.commands';
import { guards, isRefusal, type Refusal } from './contract.guards';
import type { ContractState } from './contract.state';

export type Availability =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly kind: Refusal['kind']; readonly code: string; readonly message: string };

/**
 * Which commands the state admits, judged from the state alone; a command marked allowed
 * can still be refused for its data (a gap in a renewal, a premature expiry…).
 */
export function commandAvailability(state: ContractState): Record<ContractCommandType, Availability> {
  const entries = CONTRACT_COMMAND_TYPES.map((type): [ContractCommandType, Availability] => {
    const r = guards[type](state);
    return [type, isRefusal(r) ? { allowed: false, kind: r.kind, code: r.code, message: r.message } : { allowed: true }];
  });
  return Object.fromEntries(entries) as Record<ContractCommandType, Availability>;
}

export function allowedCommands(state: ContractState): ContractCommandType[] {
  return CONTRACT_COMMAND_TYPES.filter((type) => !isRefusal(guards[type](state)));
}

/** What a caller may send now (DESIGN §6 `allowedCommands`): the engine's own commands left out. */
export function callerCommands(state: ContractState): CallerCommandType[] {
  return CALLER_COMMAND_TYPES.filter((type) => !isRefusal(guards[type](state)));
}
