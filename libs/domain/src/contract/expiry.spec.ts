import { describe, expect, it } from 'vitest';
import { EXPIRY_AFTER_NOTICE_REASON, EXPIRY_REASON } from './contract.state';
import { given } from '../testing/given';
import { toRepresentation } from './contract.view';
import {
  acceptRenewal,
  activeSince,
  contractExpired,
  contractOrdered,
  contractTerminated,
  expireContract,
  handedOver,
  noticeNonRenewal,
  nonRenewalNoticed,
  ordered,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const FEB_28 = '2027-02-28T00:00:00.000Z';
const active = activeSince(T0);

describe('L5: expiry and non-renewal', () => {
  it('L5: without an accepted renewal the contract expires at term end', () =>
    given(active)
      .when(expireContract(FEB_28))
      .then(contractExpired(FEB_28))
      .andState((s) => expect(s).toMatchObject({ status: 'expired', endKind: 'expired', endedAt: FEB_28, endReason: EXPIRY_REASON })));

  it('L5: an expiry observed late still ends the contract at the term end, and records when the engine acted', () =>
    given(active)
      .when(expireContract('2027-03-02T00:00:00Z'))
      .then({ type: 'ContractExpired', data: { dueAt: FEB_28, actedAt: '2027-03-02T00:00:00.000Z', termEnd: FEB_28 } })
      .andState((s) => {
        expect(s).toMatchObject({ endedAt: FEB_28, expiryRecordedAt: '2027-03-02T00:00:00.000Z' });
        expect(toRepresentation(s).expiry).toEqual({ dueAt: FEB_28, actedAt: '2027-03-02T00:00:00.000Z', late: true });
      }));

  it('L5: an expiry acted on when due is not late', () =>
    given(active)
      .when(expireContract(FEB_28))
      .thenState((s) => expect(toRepresentation(s).expiry).toEqual({ dueAt: FEB_28, actedAt: FEB_28, late: false })));

  it('L5: a contract cannot expire before its term end', () =>
    given(active).when(expireContract('2027-02-27T23:59:59Z')).thenThrows('expiry.too_early', 'rule'));

  it('L5: a grace period delays expiry to term end + grace', () => {
    const withGrace = [contractOrdered({ renewalGracePeriod: 'P5D' }), handedOver(T0)];
    given(withGrace).when(expireContract(FEB_28)).thenThrows('expiry.too_early', 'rule');
    given(withGrace)
      .when(expireContract('2027-03-05T00:00:00Z'))
      .then(contractExpired('2027-03-05T00:00:00Z', { termEnd: FEB_28 }))
      .andState((s) => expect(s).toMatchObject({ endedAt: '2027-03-05T00:00:00.000Z' }));
  });

  it('L5: a non-renewal notice only records intent; the term is unchanged', () =>
    given(active)
      .when(noticeNonRenewal('2027-02-10T00:00:00Z', 'moving to another host'))
      .then(nonRenewalNoticed('2027-02-10T00:00:00Z', FEB_28, 'moving to another host'))
      .andState((s) =>
        expect(s).toMatchObject({ status: 'active', termEnd: FEB_28, nonRenewalNoticedAt: '2027-02-10T00:00:00.000Z', nonRenewalReason: 'moving to another host' }),
      ));

  it('L5: after a notice, expiry still happens at term end', () =>
    given(active, nonRenewalNoticed('2027-02-10T00:00:00Z', FEB_28))
      .when(expireContract(FEB_28))
      .thenState((s) => expect(s).toMatchObject({ status: 'expired', endedAt: FEB_28, endReason: EXPIRY_AFTER_NOTICE_REASON })));

  it('L5: a notice does not stop a renewal the billing system reports as accepted', () =>
    given(active, nonRenewalNoticed('2027-02-10T00:00:00Z', FEB_28))
      .when(acceptRenewal('inv-1', FEB_28, '2027-03-31T00:00:00Z'))
      .thenState((s) => expect(s).toMatchObject({ termEnd: '2027-03-31T00:00:00.000Z' })));

  it('L5: a second notice changes nothing', () =>
    given(active, nonRenewalNoticed('2027-02-10T00:00:00Z', FEB_28)).when(noticeNonRenewal('2027-02-11T00:00:00Z')).thenNothing());

  it('L5: an ordered contract has no term to leave unrenewed, an ended one no longer needs a notice', () => {
    given(ordered).when(noticeNonRenewal('2027-01-20T00:00:00Z')).thenThrows('contract.wrong_state', 'conflict');
    given(active, contractTerminated('2027-02-10T00:00:00Z')).when(noticeNonRenewal('2027-02-11T00:00:00Z')).thenThrows('contract.ended', 'conflict');
  });

  it('L5/L6: an ordered contract does not expire, an expired one does not expire again', () => {
    given(ordered).when(expireContract(FEB_28)).thenThrows('contract.wrong_state', 'conflict');
    given(active, contractExpired(FEB_28)).when(expireContract('2027-03-01T00:00:00Z')).thenThrows('contract.ended', 'conflict');
  });

  it('L5: an expiry needs an instant', () => given(active).when(expireContract('soon')).thenThrows('calendar.invalid_instant', 'validation'));
});
