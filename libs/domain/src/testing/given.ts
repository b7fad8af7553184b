import { expect } from 'vitest';
import { isDomainError, type DomainErrorKind } from '../errors';
import type { ContractCommand } from '../contract/contract.commands';
import { decide } from '../contract/contract.decide';
import type { ContractEvent } from '../contract/contract.events';
import { evolve, fold } from '../contract/contract.evolve';
import type { ContractState } from '../contract/contract.state';

type History = ContractEvent | readonly ContractEvent[];

export interface Then {
  /** The state after the produced events. */
  readonly state: ContractState;
  andState(assert: (state: ContractState) => void): Then;
}

export interface When {
  then(...expected: ContractEvent[]): Then;
  thenNothing(): Then;
  thenThrows(code: string, kind?: DomainErrorKind): void;
  thenState(assert: (state: ContractState) => void): Then;
}

/** Personal data that must never appear in a refusal (messages reach logs and HTTP bodies). */
function personalData(state: ContractState): string[] {
  if (state.status === 'none') return [];
  const { name, email, address, dpoEmail } = state.controller;
  return [name, email, address, dpoEmail].filter((v): v is string => v !== null);
}

/** given(history).when(command).then(events) — Emmett-style specification of the decider. */
export function given(...history: History[]) {
  const state = fold(history.flat());
  return {
    state,
    when(command: ContractCommand): When {
      let produced: ContractEvent[] | null = null;
      let failure: unknown = null;
      try {
        produced = decide(command, state);
      } catch (e) {
        failure = e;
      }
      const outcome = (): Then => {
        if (produced === null) throw failure;
        const next = produced.reduce(evolve, state);
        const then: Then = {
          state: next,
          andState(assert) {
            assert(next);
            return then;
          },
        };
        return then;
      };
      return {
        then(...expected) {
          const result = outcome();
          expect(produced).toEqual(expected);
          return result;
        },
        thenNothing() {
          const result = outcome();
          expect(produced).toEqual([]);
          expect(result.state).toEqual(state);
          return result;
        },
        thenThrows(code, kind) {
          expect(produced, `expected ${code} but got events`).toBeNull();
          if (!isDomainError(failure)) throw failure;
          expect(failure.code).toBe(code);
          if (kind !== undefined) expect(failure.kind).toBe(kind);
          const said = `${failure.message} ${JSON.stringify(failure.details ?? {})}`;
          for (const value of personalData(state)) expect(said).not.toContain(value);
        },
        thenState(assert) {
          return outcome().andState(assert);
        },
      };
    },
  };
}
