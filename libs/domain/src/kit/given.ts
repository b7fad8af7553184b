import { expect } from 'vitest';
import { isDomainError, type DomainErrorKind } from '../errors';
import type { Decider } from './decider';

export interface Then<S> {
  /** The state after the produced events. */
  readonly state: S;
  andState(assert: (state: S) => void): Then<S>;
}

export interface When<E, S> {
  then(...expected: E[]): Then<S>;
  thenNothing(): Then<S>;
  thenThrows(code: string, kind?: DomainErrorKind): void;
  thenState(assert: (state: S) => void): Then<S>;
}

export interface Specification<C, E, S> {
  readonly state: S;
  when(command: C): When<E, S>;
}

/**
 * given(history).when(command).then(events) for any decider (Emmett-style specifications).
 * `personalData(state)` names values that must never appear in a refusal: messages reach logs
 * and HTTP bodies.
 */
export function specify<C extends { type: string }, E extends { type: string }, S>(decider: Decider<C, E, S>, personalData: (state: S) => readonly string[] = () => []) {
  return function given(...history: (E | readonly E[])[]): Specification<C, E, S> {
    const state = (history.flat() as E[]).reduce((s, e) => decider.evolve(s, e), decider.initialState());
    return {
      state,
      when(command: C): When<E, S> {
        let produced: E[] | null = null;
        let failure: unknown = null;
        try {
          produced = decider.decide(command, state);
        } catch (e) {
          failure = e;
        }
        const outcome = (): Then<S> => {
          if (produced === null) throw failure;
          const next = produced.reduce((s, e) => decider.evolve(s, e), state);
          const then: Then<S> = {
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
  };
}
