import { decide } from './contract.decide';
import { evolve, fold } from './contract.evolve';
import { initialState } from './contract.state';

/** The Emmett-style decider for one contract stream. */
export const contractDecider = { decide, evolve, initialState, fold } as const;
