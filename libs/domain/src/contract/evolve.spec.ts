import { describe, expect, it } from 'vitest';
import { evolve, fold } from './contract.evolve';
import type { ContractEvent } from './contract.events';
import { initialState } from './contract.state';
import { contractStream } from './contract.decider';
import {
  activeSince,
  contractCancelled,
  contractExpired,
  contractTerminated,
  credentialsRevoked,
  dataExportRequested,
  dataExportServed,
  destructionDeadlineMissed,
  destructionEscalated,
  destructionScheduled,
  destructionStarted,
  handOverCredentials,
  handedOver,
  locationDestroyed,
  locationDestructionFailed,
  nonRenewalNoticed,
  ordered,
  renewalAccepted,
  renewalRejected,
  renewalWithdrawn,
  terminatedAndRevoked,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const T1 = '2027-02-10T00:00:00Z';
const active = activeSince(T0);
const ended = terminatedAndRevoked(T0, T1);

describe('evolve', () => {
  it('folds a history from the initial state, or on from a given state', () => {
    expect(fold([])).toEqual(initialState());
    expect(fold([handedOver(T0)], fold([ordered]))).toEqual(fold(active));
  });

  it('refuses an event type it does not know (upcast first)', () =>
    expect(() => evolve(fold(active), { type: 'ContractTeleported', data: {} } as unknown as ContractEvent)).toThrow('unexpected'));

  it('is the decider, Emmett style', () => {
    expect(contractStream.initialState()).toEqual(initialState());
    const events = contractStream.decide(handOverCredentials(T0), fold([ordered]));
    expect(events.reduce(contractStream.evolve, fold([ordered]))).toEqual(fold(active));
  });

  it('never mutates the state it is given', () => {
    const before = fold(active);
    const snapshot = JSON.parse(JSON.stringify(before));
    evolve(before, renewalAccepted('inv-1', '2027-02-28T00:00:00Z', '2027-03-31T00:00:00Z'));
    expect(before).toEqual(snapshot);
  });

  it.each<[string, readonly ContractEvent[], ContractEvent]>([
    ['a second order', [ordered], ordered],
    ['a hand-over before the order', [], handedOver(T0)],
    ['a hand-over to an ordered contract that starts no term', [ordered], handedOver(T0, { first: false })],
    ['a hand-over after the end', ended, handedOver(T1, { credentialId: 'cred-2', first: false })],
    ['a renewal of an ordered contract', [ordered], renewalAccepted('inv-1', T0, '2027-02-28T00:00:00Z')],
    ['a rejection for an ordered contract', [ordered], renewalRejected('inv-1', T0)],
    ['a withdrawal for an ordered contract', [ordered], renewalWithdrawn('inv-1', T0)],
    ['a notice for an ordered contract', [ordered], nonRenewalNoticed(T0, T0)],
    ['an expiry of an ordered contract', [ordered], contractExpired(T0)],
    ['a termination of an ordered contract', [ordered], contractTerminated(T0)],
    ['a cancellation of an active contract', active, contractCancelled(T1)],
    ['a revocation while active', active, credentialsRevoked(T1)],
    ['a destruction plan while active', active, destructionScheduled(T1)],
    ['a second destruction plan', [...ended, destructionScheduled(T1)], destructionScheduled('2027-02-11T00:00:00Z')],
    ['an export request without a plan', ended, dataExportRequested('x-1', T1)],
    ['a completion without a plan', ended, { type: 'DestructionCompleted', data: { completedAt: T1, certificate: null as never } }],
  ])('ignores %s rather than throwing during replay', (_, history, event) => {
    const state = fold(history);
    expect(evolve(state, event)).toBe(state);
  });

  it('L10: starting destruction moves only pending locations; a destroyed location stays destroyed', () => {
    const s = fold([...ended, destructionScheduled(T1), locationDestroyed('web-platform', T1), destructionStarted(T1)]);
    expect(s.status !== 'none' && s.destruction.locations.map((l) => l.status)).toEqual(['destroyed', 'in_progress', 'in_progress', 'in_progress']);
  });

  it('L10: a failure recorded for a destroyed location does not undo it', () => {
    const s = fold([...ended, destructionScheduled(T1), destructionStarted(T1), locationDestroyed('web-platform', T1), locationDestructionFailed('web-platform', T1)]);
    expect(s.status !== 'none' && s.destruction.locations[0]).toMatchObject({ status: 'destroyed', failures: 0 });
  });

  it('L7: a revocation marks exactly the credentials it lists', () => {
    const s = fold([...active, handedOver(T1, { credentialId: 'cred-2', first: false }), contractTerminated(T1), credentialsRevoked(T1, ['cred-2'])]);
    expect(s.status !== 'none' && s.credentials.map((c) => c.revokedAt)).toEqual([null, '2027-02-10T00:00:00.000Z']);
  });

  it('records each export, serving and escalation on the plan', () => {
    const s = fold([
      ...ended,
      destructionScheduled(T1),
      dataExportRequested('x-1', T1),
      dataExportRequested('x-2', T1),
      dataExportServed('x-2', '2027-02-11T00:00:00Z'),
      destructionEscalated('2027-04-03T00:00:00Z', '2027-04-10T00:00:00Z'),
      destructionDeadlineMissed('2027-04-10T00:00:00Z', '2027-04-10T00:00:00Z'),
    ]);
    expect(s).toMatchObject({
      destruction: {
        exportRequests: [
          { requestId: 'x-1', servedAt: null },
          { requestId: 'x-2', servedAt: '2027-02-11T00:00:00.000Z' },
        ],
        escalatedAt: '2027-04-03T00:00:00.000Z',
        deadlineMissedAt: '2027-04-10T00:00:00.000Z',
      },
    });
  });
});
