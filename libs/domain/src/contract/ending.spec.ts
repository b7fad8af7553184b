import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  activeSince,
  cancelContract,
  contractCancelled,
  contractExpired,
  contractTerminated,
  credentialsRevoked,
  handedOver,
  ordered,
  revokeCredentials,
  terminateContract,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const T1 = '2027-02-10T00:00:00.000Z';
const active = activeSince(T0);

describe('L6: termination and cancellation', () => {
  it('L6: early termination ends processing at once, with its reason', () =>
    given(active)
      .when(terminateContract(T1, 'client moved to another host'))
      .then(contractTerminated(T1, 'client moved to another host'))
      .andState((s) =>
        expect(s).toMatchObject({ status: 'terminated', endKind: 'terminated', endedAt: T1, endReason: 'client moved to another host', termEnd: '2027-02-28T00:00:00.000Z' }),
      ));

  it('L6: a termination states its reason', () => given(active).when(terminateContract(T1, '')).thenThrows('input.required', 'validation'));

  it('L6: a termination cannot precede the start of processing', () =>
    given(active).when(terminateContract('2027-01-30T00:00:00Z')).thenThrows('termination.before_processing', 'rule'));

  it('L5/L6: after the term ended without renewal, the contract expires rather than terminates', () =>
    given(active).when(terminateContract('2027-03-01T00:00:00Z')).thenThrows('termination.after_expiry', 'rule'));

  it('L6: an ordered contract is cancelled, not terminated; an ended one neither', () => {
    given(ordered).when(terminateContract(T1)).thenThrows('contract.wrong_state', 'conflict');
    given(active, contractTerminated(T1)).when(terminateContract(T1)).thenThrows('contract.ended', 'conflict');
  });

  it('L6: an ordered contract can be cancelled before hand-over', () =>
    given(ordered)
      .when(cancelContract('2027-01-20T00:00:00Z', 'order withdrawn'))
      .then(contractCancelled('2027-01-20T00:00:00Z', 'order withdrawn'))
      .andState((s) => expect(s).toMatchObject({ status: 'cancelled', endKind: 'cancelled', endedAt: '2027-01-20T00:00:00.000Z', processingStartedAt: null })));

  it('L6: once credentials are handed over the contract is terminated, not cancelled', () =>
    given(active).when(cancelContract(T1)).thenThrows('contract.wrong_state', 'conflict'));

  it('L6: a cancelled contract cannot be cancelled again', () =>
    given(ordered, contractCancelled('2027-01-20T00:00:00Z')).when(cancelContract(T1)).thenThrows('contract.ended', 'conflict'));

  it('L6: a cancellation cannot precede the order', () =>
    given(ordered).when(cancelContract('2027-01-01T00:00:00Z')).thenThrows('cancellation.before_order', 'rule'));
});

describe('L7: revoking credentials at the end of processing', () => {
  it('L7/P3/P10: every handed-over credential is revoked at once by crypto-shredding', () =>
    given(active, handedOver('2027-02-01T00:00:00Z', { credentialId: 'cred-2', first: false }), contractTerminated(T1))
      .when(revokeCredentials(T1))
      .then(credentialsRevoked(T1, ['cred-1', 'cred-2']))
      .andState((s) => {
        expect(s).toMatchObject({ credentialsRevokedAt: T1 });
        expect(s.status !== 'none' && s.credentials.every((c) => c.revokedAt === T1)).toBe(true);
      }));

  it('L7: after expiry the credentials are revoked too', () =>
    given(active, contractExpired('2027-02-28T00:00:00Z'))
      .when(revokeCredentials('2027-02-28T00:00:00Z'))
      .then(credentialsRevoked('2027-02-28T00:00:00Z')));

  it('L6/L7: a cancelled contract goes through revocation with no credentials, for uniform evidence', () =>
    given(ordered, contractCancelled('2027-01-20T00:00:00Z'))
      .when(revokeCredentials('2027-01-20T00:00:00Z'))
      .then(credentialsRevoked('2027-01-20T00:00:00Z', [])));

  it('L7: credentials are revoked only once processing has ended', () =>
    given(active).when(revokeCredentials(T1)).thenThrows('contract.not_ended', 'conflict'));

  it('L7: credentials are revoked once', () =>
    given(active, contractTerminated(T1), credentialsRevoked(T1)).when(revokeCredentials(T1)).thenThrows('credentials.already_revoked', 'conflict'));

  it('L7: a revocation cannot precede the end of processing', () =>
    given(active, contractTerminated(T1)).when(revokeCredentials('2027-02-09T00:00:00Z')).thenThrows('credentials.revoked_before_end', 'rule'));
});
