import { describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type ContractCommand, type ContractState } from '#domain';
import * as f from '#domain/testing';
import { changedFields, storedState } from './contract-projection';

function run(state: ContractState, command: ContractCommand): ContractState {
  return decide(command, state).reduce(evolve, state);
}

function ordered(state: ContractState): Exclude<ContractState, { status: 'none' }> {
  if (state.status === 'none') throw new Error('not ordered');
  return state;
}

describe('changedFields', () => {
  const order = run(initialState(), f.orderContract());
  const active = run(order, f.handOverCredentials('2027-01-20T10:00:00.000Z'));

  it('names exactly the top-level fields an event changed, and merging them into the old document gives the new one', () => {
    const renewed = run(active, f.acceptRenewal('inv-1', ordered(active).termEnd!, '2027-03-20T10:00:00.000Z'));
    const before = storedState(ordered(active));
    const after = storedState(ordered(renewed));
    const changed = changedFields(before, after)!;
    expect(Object.keys(changed).sort()).toEqual(['termEnd', 'termStart']);
    // What `c.state || changed` does in PostgreSQL, through JSON as the documents travel.
    expect(JSON.parse(JSON.stringify({ ...before, ...changed }))).toEqual(JSON.parse(JSON.stringify(after)));
  });

  it('a hand-over changes status, dates and credentials, and leaves the order fields alone', () => {
    const changed = changedFields(storedState(ordered(order)), storedState(ordered(active)))!;
    expect(Object.keys(changed)).toEqual(expect.arrayContaining(['status', 'processingStartedAt', 'termStart', 'termEnd', 'credentials']));
    expect(Object.keys(changed)).not.toEqual(expect.arrayContaining(['controller']));
    expect(Object.keys(changed)).not.toContain('catalog');
  });

  it('leaves out the renewal history, which has rows of its own', () => {
    const renewed = run(active, f.acceptRenewal('inv-1', ordered(active).termEnd!, '2027-03-20T10:00:00.000Z'));
    expect(Object.keys(changedFields(active, renewed, new Set(['renewals']))!).sort()).toEqual(['termEnd', 'termStart']);
    expect(Object.keys(changedFields(active, renewed)!).sort()).toEqual(['renewals', 'termEnd', 'termStart']);
  });

  it('asks for the whole document when a field went away or is undefined (`||` cannot remove a field)', () => {
    expect(changedFields({ a: 1, b: 2 }, { a: 1 })).toBeNull();
    expect(changedFields({ a: 1 }, { a: 1, b: undefined })).toBeNull();
    expect(changedFields({ a: 1 }, { a: 1, b: null })).toEqual({ b: null });
    expect(changedFields({ a: { x: 1 } }, { a: { x: 1 } })).toEqual({ a: { x: 1 } });
  });
});
