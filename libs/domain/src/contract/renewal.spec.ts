import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  acceptRenewal,
  activeSince,
  contractCancelled,
  contractExpired,
  contractOrdered,
  contractTerminated,
  handedOver,
  ordered,
  rejectRenewal,
  renewalAccepted,
  renewalRejected,
  renewalWithdrawn,
  withdrawRenewal,
} from '../testing/factories';
import type { AcceptRenewal } from './contract.commands';

const T0 = '2027-01-31T00:00:00Z';
const FEB_28 = '2027-02-28T00:00:00Z';
const MAR_31 = '2027-03-31T00:00:00Z';
const APR_30 = '2027-04-30T00:00:00Z';
const active = activeSince(T0);

describe('L3: renewal invoices', () => {
  it('L3: extends the term once per accepted invoice', () =>
    given(active)
      .when(acceptRenewal('inv-1', FEB_28, MAR_31))
      .then(renewalAccepted('inv-1', FEB_28, MAR_31, { previousTermEnd: FEB_28 }))
      .andState((s) => expect(s).toMatchObject({ status: 'active', termStart: '2027-02-28T00:00:00.000Z', termEnd: '2027-03-31T00:00:00.000Z' })));

  it('L3: the same acceptance twice extends once', () =>
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31)).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenNothing());

  it('L2/L3: a covered period longer than the longest term (P10Y) is refused: it would push the destruction of the data centuries out', () => {
    given(active).when(acceptRenewal('inv-far', FEB_28, '3027-02-28T00:00:00.000Z')).thenThrows('renewal.period_too_long', 'rule');
    given(active).when(acceptRenewal('inv-far', FEB_28, '2037-03-01T00:00:00.000Z')).thenThrows('renewal.period_too_long', 'rule');
    given(active)
      .when(acceptRenewal('inv-10y', FEB_28, '2037-02-28T00:00:00.000Z'))
      .thenState((s) => expect(s).toMatchObject({ termEnd: '2037-02-28T00:00:00.000Z' }));
  });

  it("L3: an acceptance dated before the order, or more than PT5M after the engine received it, is refused", () => {
    given(active).when(acceptRenewal('inv-early', FEB_28, MAR_31, '2027-01-01T00:00:00Z', '2027-02-20T00:00:00Z')).thenThrows('renewal.accepted_before_order', 'rule');
    given(active).when(acceptRenewal('inv-future', FEB_28, MAR_31, '2027-02-20T00:05:01Z', '2027-02-20T00:00:00Z')).thenThrows('renewal.accepted_in_future', 'rule');
    given(active)
      .when(acceptRenewal('inv-skew', FEB_28, MAR_31, '2027-02-20T00:05:00Z', '2027-02-20T00:00:00Z'))
      .thenState((s) => expect(s).toMatchObject({ termEnd: '2027-03-31T00:00:00.000Z' }));
  });

  it('L3: a repeated acceptance spelled with another offset is still the same acceptance', () =>
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31)).when(acceptRenewal('inv-1', '2027-02-28T01:00:00+01:00', MAR_31)).thenNothing());

  it('L3: an invoice id accepted for one period cannot be accepted for another', () =>
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31))
      .when(acceptRenewal('inv-1', MAR_31, APR_30))
      .thenThrows('renewal.invoice_conflict', 'conflict'));

  it('L3: successive invoices chain the terms, each to the end of its covered period', () =>
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31))
      .when(acceptRenewal('inv-2', MAR_31, APR_30, '2027-03-20T00:00:00Z'))
      .then(renewalAccepted('inv-2', MAR_31, APR_30, { acceptedAt: '2027-03-20T00:00:00Z', previousTermEnd: MAR_31 }))
      .andState((s) => expect(s.status !== 'none' && s.renewals.map((r) => r.invoiceId)).toEqual(['inv-1', 'inv-2'])));

  it('L3: an acceptance within the grace period still extends the term', () =>
    given(contractOrdered({ renewalGracePeriod: 'P5D' }), handedOver(T0))
      .when(acceptRenewal('inv-1', FEB_28, MAR_31, '2027-03-05T00:00:00Z'))
      .thenState((s) => expect(s).toMatchObject({ termEnd: '2027-03-31T00:00:00.000Z' })));

  it('L3/L5: an acceptance after the term end (and grace) comes too late: the contract expires instead', () =>
    given(active).when(acceptRenewal('inv-1', FEB_28, MAR_31, '2027-03-01T00:00:00Z')).thenThrows('renewal.after_term_end', 'rule'));

  it('L3: an ordered contract has no term to renew', () =>
    given(ordered).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenThrows('contract.wrong_state', 'conflict'));

  it.each([
    ['expired', contractExpired(FEB_28)],
    ['terminated', contractTerminated('2027-02-10T00:00:00Z')],
  ])('L3: an acceptance after the contract %s is a late acceptance', (_, end) =>
    given(active, end).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenThrows('renewal.late_acceptance', 'conflict'));

  it('L3: an acceptance after cancellation is a late acceptance', () =>
    given(ordered, contractCancelled('2027-01-20T00:00:00Z')).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenThrows('renewal.late_acceptance', 'conflict'));

  it('L3: replaying an acceptance after the end changes nothing', () =>
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31), contractExpired(MAR_31)).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenNothing());
});

describe('L4: covered periods', () => {
  it('L4: a covered period starting after the term end leaves a gap and is refused', () => {
    const attempt = given(active).when(acceptRenewal('inv-1', '2027-03-01T00:00:00Z', '2027-04-01T00:00:00Z', FEB_28));
    attempt.thenThrows('renewal.gap', 'rule');
    expect(() => attempt.then()).toThrow(
      'renewal covers 2027-03-01T00:00:00.000Z…2027-04-01T00:00:00.000Z but the term ends 2027-02-28T00:00:00.000Z: a gap is not allowed',
    );
  });

  it('L4: a covered period may start before the term end (overlap, no gap); the new term still starts where the last one ends', () =>
    given(active)
      .when(acceptRenewal('inv-1', '2027-02-15T00:00:00Z', MAR_31))
      .thenState((s) => expect(s).toMatchObject({ termStart: '2027-02-28T00:00:00.000Z', termEnd: '2027-03-31T00:00:00.000Z' })));

  it.each([
    ['ends at the term end', '2027-01-31T00:00:00Z', FEB_28],
    ['ends before the term end', '2027-01-31T00:00:00Z', '2027-02-20T00:00:00Z'],
  ])('L4: a covered period that %s does not extend the term and is refused', (_, start, end) =>
    given(active).when(acceptRenewal('inv-1', start, end, '2027-02-01T00:00:00Z')).thenThrows('renewal.not_extending', 'rule'));

  it('L4: a covered period must start before it ends', () =>
    given(active).when(acceptRenewal('inv-1', MAR_31, FEB_28)).thenThrows('renewal.invalid_period', 'validation'));

  it.each<[string, AcceptRenewal, string]>([
    ['no covered period', { type: 'AcceptRenewal', data: { invoiceId: 'inv-1', coveredPeriod: null as never, acceptedAt: FEB_28, receivedAt: FEB_28 } }, 'input.required'],
    ['a malformed start', acceptRenewal('inv-1', '28/02/2027', MAR_31, FEB_28), 'calendar.invalid_instant'],
    ['no invoice id', acceptRenewal('', FEB_28, MAR_31), 'input.required'],
  ])('L4: an acceptance with %s is malformed', (_, command, code) => given(active).when(command).thenThrows(code, 'validation'));
});

describe('L3: rejected and withdrawn invoices', () => {
  it('L3: a rejection is recorded and never changes the term', () =>
    given(active)
      .when(rejectRenewal('inv-1', '2027-02-20T00:00:00Z', 'card declined'))
      .then(renewalRejected('inv-1', '2027-02-20T00:00:00Z', 'card declined'))
      .andState((s) => expect(s).toMatchObject({ termEnd: '2027-02-28T00:00:00.000Z', rejectedRenewals: [{ invoiceId: 'inv-1' }] })));

  it('L3: a withdrawal is recorded and never changes the term', () =>
    given(active)
      .when(withdrawRenewal('inv-1', '2027-02-20T00:00:00Z'))
      .then(renewalWithdrawn('inv-1', '2027-02-20T00:00:00Z'))
      .andState((s) => expect(s).toMatchObject({ termEnd: '2027-02-28T00:00:00.000Z', withdrawnRenewals: [{ invoiceId: 'inv-1' }] })));

  it('L3: a rejection or withdrawal repeated changes nothing', () => {
    given(active, renewalRejected('inv-1', '2027-02-20T00:00:00Z')).when(rejectRenewal('inv-1', '2027-02-21T00:00:00Z')).thenNothing();
    given(active, renewalWithdrawn('inv-1', '2027-02-20T00:00:00Z')).when(withdrawRenewal('inv-1', '2027-02-21T00:00:00Z')).thenNothing();
  });

  it('L3: a rejected or withdrawn invoice can no longer be accepted', () => {
    given(active, renewalRejected('inv-1', '2027-02-20T00:00:00Z')).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenThrows('renewal.invoice_closed', 'conflict');
    given(active, renewalWithdrawn('inv-1', '2027-02-20T00:00:00Z')).when(acceptRenewal('inv-1', FEB_28, MAR_31)).thenThrows('renewal.invoice_closed', 'conflict');
  });

  it('L3: an accepted invoice can be neither rejected nor withdrawn; a rejected one cannot be withdrawn', () => {
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31)).when(rejectRenewal('inv-1', FEB_28)).thenThrows('renewal.invoice_conflict', 'conflict');
    given(active, renewalAccepted('inv-1', FEB_28, MAR_31)).when(withdrawRenewal('inv-1', FEB_28)).thenThrows('renewal.invoice_conflict', 'conflict');
    given(active, renewalRejected('inv-1', FEB_28)).when(withdrawRenewal('inv-1', FEB_28)).thenThrows('renewal.invoice_conflict', 'conflict');
  });

  it('L3: a rejection reported after expiry is still recorded', () =>
    given(active, contractExpired(FEB_28))
      .when(rejectRenewal('inv-1', '2027-03-02T00:00:00Z'))
      .then(renewalRejected('inv-1', '2027-03-02T00:00:00Z')));

  it('L3: an ordered contract has no invoice to reject or withdraw', () => {
    given(ordered).when(rejectRenewal('inv-1', FEB_28)).thenThrows('contract.wrong_state', 'conflict');
    given(ordered).when(withdrawRenewal('inv-1', FEB_28)).thenThrows('contract.wrong_state', 'conflict');
  });
});
