import { describe, expect, it } from 'vitest';
import { given } from './given';
import { activeSince, expireContract, handOverCredentials, handedOver, ordered } from './factories';
import type { ContractCommand } from '../contract/contract.commands';

// The helper must fail loudly, or the specifications built on it prove nothing.

describe('given/when/then', () => {
  it('fails when other events are produced', () =>
    expect(() => given(ordered).when(handOverCredentials('2027-01-31T00:00:00Z')).then()).toThrow());

  it('fails when events are expected but the command is refused, with the refusal', () =>
    expect(() => given(ordered).when(expireContract('2027-01-31T00:00:00Z')).then(handedOver('2027-01-31T00:00:00Z'))).toThrow(
      'processing has not started',
    ));

  it('fails when a refusal is expected but events are produced', () =>
    expect(() => given(ordered).when(handOverCredentials('2027-01-31T00:00:00Z')).thenThrows('contract.wrong_state')).toThrow());

  it('fails on another refusal code or kind', () => {
    expect(() => given(ordered).when(expireContract('2027-01-31T00:00:00Z')).thenThrows('contract.ended')).toThrow();
    expect(() => given(ordered).when(expireContract('2027-01-31T00:00:00Z')).thenThrows('contract.wrong_state', 'rule')).toThrow();
  });

  it('passes on errors that are not domain errors', () =>
    expect(() => given(ordered).when({ type: 'Teleport', data: {} } as unknown as ContractCommand).thenThrows('x')).toThrow('unexpected'));

  it('fails when a command expected to change nothing changes something', () =>
    expect(() => given(ordered).when(handOverCredentials('2027-01-31T00:00:00Z')).thenNothing()).toThrow());

  it('refuses a message that leaks the controller’s personal data', () => {
    const leaky = { ...ordered, data: { ...ordered.data, controller: { ...ordered.data.controller, name: 'has not started' } } };
    expect(() => given(leaky).when(expireContract('2027-01-31T00:00:00Z')).thenThrows('contract.wrong_state')).toThrow();
  });

  it('exposes the state after the events for further assertions', () => {
    const then = given(activeSince('2027-01-31T00:00:00Z')).when(handOverCredentials('2027-02-01T00:00:00Z', 'cred-2')).thenState(() => undefined);
    expect(then.state.status).toBe('active');
  });
});
