import { describe, expect, it } from 'vitest';
import { isDomainError } from '../errors';
import { PROCESSOR, SECURITY_MEASURES } from '../catalog';
import { fold } from './contract.evolve';
import { initialState } from './contract.state';
import { nextTermEnd, processingRecord, toDestructionView, toRepresentation } from './contract.view';
import { termEnd } from '../calendar';
import {
  CONTRACT_ID,
  CONTROLLER,
  activeSince,
  allLocationsDestroyed,
  completeDestruction,
  contractOrdered,
  dataExportRequested,
  destructionPlanned,
  destructionUnderway,
  locationDestructionFailed,
  ordered,
  renewalAccepted,
} from '../testing/factories';
import { decide } from './contract.decide';

const T0 = '2027-01-31T00:00:00.000Z';
const END = '2027-12-31T00:00:00.000Z';
const yearly = { billingPeriod: 'P1Y' } as const;

describe('DESIGN §6 contract representation', () => {
  it('an active contract shows its key dates, renewals and no destruction yet', () => {
    const s = fold([...activeSince(T0), renewalAccepted('inv-1', '2027-02-28T00:00:00Z', '2027-03-31T00:00:00Z')]);
    expect(toRepresentation(s)).toEqual({
      id: CONTRACT_ID,
      reference: 'ACME-2027-001',
      status: 'active',
      controller: CONTROLLER,
      billingPeriod: 'P1M',
      renewalGracePeriod: null,
      returnWindow: null,
      catalog: ordered.data.catalog,
      orderedAt: '2027-01-15T09:00:00.000Z',
      processingStartedAt: T0,
      termStart: '2027-02-28T00:00:00.000Z',
      termEnd: '2027-03-31T00:00:00.000Z',
      // The next scheduled end from the hand-over anchor: March 31 → April 30 (the month has no 31st).
      nextCoveredPeriod: { start: '2027-03-31T00:00:00.000Z', end: '2027-04-30T00:00:00.000Z' },
      renewals: [
        {
          invoiceId: 'inv-1',
          coveredPeriod: { start: '2027-02-28T00:00:00.000Z', end: '2027-03-31T00:00:00.000Z' },
          acceptedAt: '2027-02-28T00:00:00.000Z',
        },
      ],
      rejectedRenewals: [],
      withdrawnRenewals: [],
      nonRenewalNoticedAt: null,
      nonRenewalReason: null,
      endedAt: null,
      endKind: null,
      endReason: null,
      expiry: null,
      credentials: [{ credentialId: 'cred-1', kind: 'ssh', host: 'web-1.acme.example', handedOverAt: T0, revokedAt: null }],
      credentialsRevokedAt: null,
      destruction: {
        status: 'none',
        deadline: null,
        scheduledAt: null,
        returnWindowEndsAt: null,
        escalationAt: null,
        escalatedAt: null,
        deadlineMissedAt: null,
        startedAt: null,
        completedAt: null,
        start: null,
        escalation: null,
        deadlineMissed: null,
        locations: [],
        exportRequests: [],
        certificate: null,
      },
      upcomingDeadlines: [{ kind: 'term-end', at: '2027-03-31T00:00:00.000Z' }],
      allowedCommands: ['HandOverCredentials', 'AcceptRenewal', 'RejectRenewal', 'WithdrawRenewal', 'NoticeNonRenewal', 'TerminateContract'],
    });
  });

  it('is plain JSON: it survives serialisation unchanged', () => {
    const s = fold([...destructionUnderway(T0, END, END, yearly), locationDestructionFailed('ovh-gra-1', '2028-01-02T00:00:00Z')]);
    const r = toRepresentation(s);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('L10: destruction progress shows each location with its status and evidence, and the export requests', () => {
    const s = fold([
      ...destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' }),
      dataExportRequested('x-1', '2028-01-02T00:00:00Z'),
    ]);
    const view = toDestructionView(s);
    expect(view).toMatchObject({ status: 'scheduled', deadline: '2028-02-29T00:00:00.000Z', returnWindowEndsAt: '2028-01-14T00:00:00.000Z', certificate: null });
    expect(view.locations[0]).toEqual({ id: 'web-platform', name: 'Web platform', status: 'pending', destroyedAt: null, evidence: null, failures: 0, lastFailure: null });
    expect(view.exportRequests).toEqual([{ requestId: 'x-1', requestedAt: '2028-01-02T00:00:00.000Z', servedAt: null, locations: null }]);
  });

  it('L10/L12: a destroyed contract shows its certificate and allows no command', () => {
    const history = [...destructionUnderway(T0, END, END, yearly), ...allLocationsDestroyed('2028-01-02T00:00:00Z')];
    const s = fold([...history, ...decide(completeDestruction('2028-01-03T00:00:00Z'), fold(history))]);
    const r = toRepresentation(s);
    expect(r.status).toBe('destroyed');
    expect(r.destruction.certificate).toMatchObject({ certificateId: 'cert-1', withinDeadline: true });
    expect(r.allowedCommands).toEqual([]);
    expect(r.upcomingDeadlines).toEqual([]);
  });

  it('there is no representation before the order', () => {
    let code: string | null = null;
    try {
      toRepresentation(initialState());
    } catch (e) {
      code = isDomainError(e) ? e.code : null;
    }
    expect(code).toBe('contract.not_ordered');
  });
});

describe('Art. 30(2) record of processing', () => {
  it('DESIGN §4: the record lists the contract’s narrowed catalog with labels, the security measures and both parties', () => {
    const s = fold([contractOrdered({ catalog: { ...ordered.data.catalog, dataCategories: ['email-address', 'name'], storageLocations: ['web-platform', 'ovh-sbg-2'] } })]);
    expect(processingRecord(s)).toEqual({
      contractId: CONTRACT_ID,
      reference: 'ACME-2027-001',
      status: 'ordered',
      controller: { name: 'Acme SAS', email: 'contact@acme.example', dpoEmail: 'dpo@acme.example' },
      processor: PROCESSOR,
      purposes: [{ id: 'website-hosting', label: "Hosting of the controller's website" }],
      natureOfOperations: 'IT services',
      dataCategories: [
        { id: 'email-address', label: 'Email address' },
        { id: 'name', label: 'Last name, first name' },
      ],
      dataSubjectCategories: [
        { id: 'developers', label: 'Developers' },
        { id: 'system-administrators', label: 'System administrators' },
      ],
      storageLocations: [
        { id: 'web-platform', name: 'Web platform', kind: 'web-platform', site: 'Depends on the main datacenter, most often OVH and Online.net' },
        { id: 'ovh-sbg-2', name: 'OVH SBG-2', kind: 'backup', site: 'Strasbourg, France' },
      ],
      formerStorageLocations: [],
      thirdCountryTransfers: [],
      securityMeasures: SECURITY_MEASURES,
      processingStartedAt: null,
      endedAt: null,
      destructionDeadline: null,
    });
  });

  it('names another processor when asked', () =>
    expect(processingRecord(fold([ordered]), { name: 'Hosting Co', role: 'hosting provider' }).processor.name).toBe('Hosting Co'));
});

describe('nextCoveredPeriod: the next term on the schedule anchored at the hand-over (§2)', () => {
  it('a monthly contract handed over on Jan 31 runs Feb 28 → Mar 31, never Mar 28', () => {
    expect(nextTermEnd('2027-01-31T10:00:00.000Z', 'P1M', '2027-02-28T10:00:00.000Z')).toBe('2027-03-31T10:00:00.000Z');
    expect(nextTermEnd('2027-01-31T10:00:00.000Z', 'P1M', '2027-03-31T10:00:00.000Z')).toBe('2027-04-30T10:00:00.000Z');
    expect(nextTermEnd('2028-02-29T00:00:00.000Z', 'P1Y', '2029-02-28T00:00:00.000Z')).toBe('2030-02-28T00:00:00.000Z');
    // An end off the schedule (a renewal that covered an odd period): the first scheduled end after it.
    expect(nextTermEnd('2027-01-31T10:00:00.000Z', 'P1M', '2027-03-15T00:00:00.000Z')).toBe('2027-03-31T10:00:00.000Z');
  });

  it('after the n-th scheduled end comes the (n+1)-th, for ten years of monthly and weekly terms', () => {
    for (const [anchor, period] of [['2027-01-31T23:30:00.000Z', 'P1M'], ['2027-05-29T00:00:00.000Z', 'P1M'], ['2027-01-01T00:00:00.000Z', 'P1W'], ['2027-03-31T00:00:00.000Z', 'P3M']] as const) {
      for (let n = 1; n <= 120; n++) expect(nextTermEnd(anchor, period, termEnd(anchor, period, n))).toBe(termEnd(anchor, period, n + 1));
    }
  });
});
