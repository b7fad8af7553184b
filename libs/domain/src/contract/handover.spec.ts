import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  activeSince,
  contractCancelled,
  contractOrdered,
  contractTerminated,
  handOverCredentials,
  handedOver,
  ordered,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00.000Z';

describe('L2: handing over credentials', () => {
  it('L2: the first hand-over starts processing and a first term of one billing period', () =>
    given(ordered)
      .when(handOverCredentials(T0))
      .then(handedOver(T0))
      .andState((s) => {
        expect(s.status).toBe('active');
        expect(s).toMatchObject({ processingStartedAt: T0, termStart: T0, termEnd: '2027-02-28T00:00:00.000Z' });
      }));

  it('L2: a hand-over whose first term would put the destruction deadline past the year 9999 is refused', () =>
    given(ordered).when(handOverCredentials('9999-11-20T00:00:00Z')).thenThrows('calendar.out_of_range', 'validation'));

  it('L2: a yearly contract handed over on Feb 29 ends its first term on Feb 28', () =>
    given(contractOrdered({ billingPeriod: 'P1Y' }))
      .when(handOverCredentials('2028-02-29T08:00:00Z'))
      .thenState((s) => expect(s).toMatchObject({ termEnd: '2029-02-28T08:00:00.000Z' })));

  it('L2: further hand-overs while active add credentials without starting a new term', () =>
    given(activeSince(T0))
      .when(handOverCredentials('2027-02-10T00:00:00Z', 'cred-2', 'ftp', 'ftp.acme.example'))
      .then(handedOver('2027-02-10T00:00:00Z', { credentialId: 'cred-2', kind: 'ftp', host: 'ftp.acme.example', first: false }))
      .andState((s) => {
        expect(s).toMatchObject({ processingStartedAt: T0, termEnd: '2027-02-28T00:00:00.000Z' });
        expect(s.status !== 'none' && s.credentials.map((c) => c.credentialId)).toEqual(['cred-1', 'cred-2']);
      }));

  it('L2: handing over the same credential again changes nothing (at-least-once delivery)', () =>
    given(activeSince(T0)).when(handOverCredentials('2027-02-10T00:00:00Z', 'cred-1')).thenNothing());

  it('L2: a credential id cannot be reused for another kind or host', () =>
    given(activeSince(T0)).when(handOverCredentials('2027-02-10T00:00:00Z', 'cred-1', 'ftp')).thenThrows('credentials.id_conflict', 'conflict'));

  it('L2: credentials cannot be handed over before the order', () =>
    given(ordered).when(handOverCredentials('2027-01-01T00:00:00Z')).thenThrows('handover.before_order', 'rule'));

  it('L2: a hand-over names the kind and host of the access', () =>
    given(ordered).when(handOverCredentials(T0, 'cred-1', '')).thenThrows('input.required', 'validation'));

  it('L7: no credentials are handed over after termination', () =>
    given(activeSince(T0), contractTerminated('2027-02-10T00:00:00Z'))
      .when(handOverCredentials('2027-02-11T00:00:00Z', 'cred-2'))
      .thenThrows('contract.ended', 'conflict'));

  it('L6/L7: no credentials are handed over after cancellation', () =>
    given(ordered, contractCancelled('2027-01-20T00:00:00Z')).when(handOverCredentials(T0)).thenThrows('contract.ended', 'conflict'));
});

describe('P12: the DPO communicated at hand-over (DESIGN §3.6)', () => {
  const dpo = { name: 'Dana Officer', email: 'dpo@processor.example', phone: null, dpoVersion: 1 };
  const handOver = (credentialId: string, at: string) => ({ type: 'HandOverCredentials' as const, data: { credentialId, kind: 'ssh', host: 'web-1.acme.example', handedOverAt: at, dpo } });
  it('records the contact with the first hand-over, in the same append; a later hand-over or none given records nothing more', () => {
    given(ordered)
      .when(handOver('cred-1', '2027-02-01T00:00:00.000Z'))
      .then(handedOver('2027-02-01T00:00:00Z'), { type: 'DpoCommunicated', data: { ...dpo, communicatedAt: '2027-02-01T00:00:00.000Z' } })
      .andState((s) => expect(s).toMatchObject({ status: 'active', dpoCommunicated: { dpoVersion: 1 } }));
    const communicated = [ordered, handedOver('2027-02-01T00:00:00Z'), { type: 'DpoCommunicated' as const, data: { ...dpo, communicatedAt: '2027-02-01T00:00:00.000Z' } }];
    given(...communicated).when(handOver('cred-2', '2027-03-01T00:00:00.000Z')).then(handedOver('2027-03-01T00:00:00Z', { credentialId: 'cred-2', first: false }));
    given(ordered).when({ type: 'HandOverCredentials', data: { credentialId: 'cred-1', kind: 'ssh', host: 'web-1.acme.example', handedOverAt: '2027-02-01T00:00:00.000Z' } }).then(handedOver('2027-02-01T00:00:00Z'));
  });
});
