import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  ALL_LOCATION_IDS,
  CONTRACT_ID,
  activeSince,
  allLocationsDestroyed,
  completeDestruction,
  contractCancelled,
  contractOrdered,
  contractTerminated,
  credentialsRevoked,
  destructionDeadlineMissed,
  destructionPlanned,
  destructionScheduled,
  destructionStarted,
  destructionUnderway,
  evidence,
  locationDestroyed,
  locationDestructionFailed,
  ordered,
  recordLocationDestroyed,
  recordLocationDestructionFailed,
  scheduleDestruction,
  startDestruction,
  terminatedAndRevoked,
} from '../testing/factories';
import type { DestructionCompleted } from './contract.events';

const T0 = '2027-01-31T00:00:00Z';
const END = '2027-12-31T00:00:00.000Z';
const DEADLINE = '2028-02-29T00:00:00.000Z';
const yearly = { billingPeriod: 'P1Y' } as const;
const planned = destructionPlanned(T0, END, yearly);
const underway = destructionUnderway(T0, END, END, yearly);
const AFTER = '2028-01-10T00:00:00.000Z';

describe('P11/L8: scheduling destruction', () => {
  it('P11/L8: the deadline is the end of the contract + two calendar months (Dec 31 → Feb 29)', () =>
    given(terminatedAndRevoked(T0, END, yearly))
      .when(scheduleDestruction(END))
      .then(destructionScheduled(END))
      .andState((s) =>
        expect(s).toMatchObject({
          destruction: { status: 'scheduled', deadline: DEADLINE, returnWindowEndsAt: END, escalationAt: '2028-02-22T00:00:00.000Z' },
        }),
      ));

  it('L10: every storage location of the contract’s catalog is pending destruction', () =>
    given(terminatedAndRevoked(T0, END, yearly))
      .when(scheduleDestruction(END))
      .thenState((s) =>
        expect(s.status !== 'none' && s.destruction.locations.map((l) => [l.id, l.status])).toEqual(ALL_LOCATION_IDS.map((id) => [id, 'pending'])),
      ));

  it('L10: a narrowed catalog narrows the locations to destroy', () =>
    given(terminatedAndRevoked(T0, END, { ...yearly, catalog: { ...contractOrdered().data.catalog, storageLocations: ['web-platform', 'ovh-gra-1'] } }))
      .when(scheduleDestruction(END))
      .then(destructionScheduled(END, { locations: ['web-platform', 'ovh-gra-1'] })));

  it('L9: the return window delays the start of destruction from the end', () =>
    given(terminatedAndRevoked(T0, END, { ...yearly, returnWindow: 'P14D' }))
      .when(scheduleDestruction('2027-12-31T00:05:00Z'))
      .then(destructionScheduled(END, { scheduledAt: '2027-12-31T00:05:00Z', returnWindow: 'P14D' }))
      .andState((s) => expect(s).toMatchObject({ destruction: { returnWindowEndsAt: '2028-01-14T00:00:00.000Z', deadline: DEADLINE } })));

  it('L11: without an escalation margin the escalation is due at the deadline', () =>
    given(terminatedAndRevoked(T0, END, yearly))
      .when(scheduleDestruction(END, 'PT0S'))
      .then(destructionScheduled(END, { escalationMargin: null })));

  it('L11: an escalation margin reaching back before the end is refused', () =>
    given(terminatedAndRevoked(T0, END, yearly)).when(scheduleDestruction(END, 'P3M')).thenThrows('destruction.escalation_margin_too_long', 'rule'));

  it('L6/L8: a cancelled contract goes through the same destruction path', () =>
    given(ordered, contractCancelled('2027-01-20T00:00:00Z'), credentialsRevoked('2027-01-20T00:00:00Z', []))
      .when(scheduleDestruction('2027-01-20T00:00:00Z'))
      .then(destructionScheduled('2027-01-20T00:00:00Z'))
      .andState((s) => expect(s).toMatchObject({ destruction: { deadline: '2027-03-20T00:00:00.000Z' } })));

  it('L8: the destruction deadline is scheduled with the end itself, before the credentials are shredded', () =>
    given(activeSince(T0, yearly), contractTerminated(END))
      .when(scheduleDestruction(END))
      .thenState((s) => expect(s).toMatchObject({ credentialsRevokedAt: null, destruction: { status: 'scheduled', deadline: '2028-02-29T00:00:00.000Z' } })));

  it('L7: destruction never starts before the credentials are revoked', () =>
    given(activeSince(T0, yearly), contractTerminated(END), destructionScheduled(END)).when(startDestruction(END)).thenThrows('credentials.not_revoked', 'conflict'));

  it('L8: destruction is scheduled once, at the end of processing', () => {
    given(planned).when(scheduleDestruction(END)).thenThrows('destruction.already_scheduled', 'conflict');
    given(activeSince(T0, yearly)).when(scheduleDestruction(END)).thenThrows('contract.not_ended', 'conflict');
    given(terminatedAndRevoked(T0, END, yearly)).when(scheduleDestruction('2027-12-30T00:00:00Z')).thenThrows('destruction.scheduled_before_end', 'rule');
    given(terminatedAndRevoked(T0, END, yearly)).when(scheduleDestruction(END, 'seven days')).thenThrows('calendar.invalid_duration', 'validation');
  });
});

describe('L9/L10: running destruction', () => {
  it('L9: with no return window destruction starts at the end; every location is then in progress', () =>
    given(planned)
      .when(startDestruction(END))
      .then(destructionStarted(END))
      .andState((s) => {
        expect(s).toMatchObject({ destruction: { status: 'in_progress', startedAt: END } });
        expect(s.status !== 'none' && s.destruction.locations.every((l) => l.status === 'in_progress')).toBe(true);
      }));

  it('L9: destruction does not start while the return window is open', () =>
    given(destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' }))
      .when(startDestruction('2028-01-13T23:59:59Z'))
      .thenThrows('destruction.return_window_open', 'rule'));

  it('L8: destruction starts once, after it was scheduled', () => {
    given(underway).when(startDestruction(AFTER)).thenThrows('destruction.already_started', 'conflict');
    given(terminatedAndRevoked(T0, END, yearly)).when(startDestruction(AFTER)).thenThrows('destruction.not_scheduled', 'conflict');
  });

  it('L10: each location is destroyed, verified and evidenced on its own', () =>
    given(underway)
      .when(recordLocationDestroyed('ovh-sbg-2', AFTER))
      .then(locationDestroyed('ovh-sbg-2', AFTER))
      .andState((s) => {
        const locations = s.status === 'none' ? [] : s.destruction.locations;
        expect(locations.find((l) => l.id === 'ovh-sbg-2')).toMatchObject({ status: 'destroyed', destroyedAt: AFTER, evidence: evidence(AFTER) });
        expect(locations.filter((l) => l.status === 'in_progress')).toHaveLength(3);
      }));

  it('L10: recording a destroyed location again changes nothing', () =>
    given(underway, locationDestroyed('ovh-sbg-2', AFTER)).when(recordLocationDestroyed('ovh-sbg-2', '2028-01-11T00:00:00Z')).thenNothing());

  it('L10: only the contract’s own locations are destroyed, once destruction started', () => {
    given(underway).when(recordLocationDestroyed('aws-us-east-1', AFTER)).thenThrows('destruction.unknown_location', 'not_found');
    given(planned).when(recordLocationDestroyed('ovh-sbg-2', AFTER)).thenThrows('destruction.not_started', 'conflict');
    given(destructionUnderway(T0, END, END, { ...yearly, catalog: { ...contractOrdered().data.catalog, storageLocations: ['web-platform'] } }))
      .when(recordLocationDestroyed('ovh-sbg-2', AFTER))
      .thenThrows('destruction.unknown_location', 'not_found');
  });

  it.each([
    ['evidence verified before its inventory', evidence(AFTER, { verifiedAt: '2028-01-09T00:00:00.000Z' }), 'evidence.verified_before_inventory'],
    ['a negative byte count', evidence(AFTER, { bytes: -1 }), 'input.invalid_number'],
    ['a fractional object count', evidence(AFTER, { objectCount: 1.5 }), 'input.invalid_number'],
    ['no manifest hash', evidence(AFTER, { manifestHash: '' }), 'input.required'],
    ['no evidence at all', null as never, 'input.required'],
  ])('L10: a destruction with %s is not evidence', (_, proof, code) =>
    given(underway).when(recordLocationDestroyed('ovh-sbg-2', AFTER, proof)).thenThrows(code, 'validation'));

  it('L11: a failed attempt is recorded on its location and destruction keeps trying', () =>
    given(underway)
      .when(recordLocationDestructionFailed('ovh-gra-1', AFTER, 1, 'storage.timeout'))
      .then(locationDestructionFailed('ovh-gra-1', AFTER, 1, 'storage.timeout'))
      .andState((s) =>
        expect(s.status !== 'none' && s.destruction.locations.find((l) => l.id === 'ovh-gra-1')).toMatchObject({
          status: 'failed',
          failures: 1,
          lastFailure: { at: AFTER, attempt: 1, reason: 'storage.timeout' },
        }),
      ));

  it('L11: a location that failed can still be destroyed', () =>
    given(underway, locationDestructionFailed('ovh-gra-1', AFTER))
      .when(recordLocationDestroyed('ovh-gra-1', '2028-01-11T00:00:00Z'))
      .thenState((s) => expect(s.status !== 'none' && s.destruction.locations.find((l) => l.id === 'ovh-gra-1')).toMatchObject({ status: 'destroyed', failures: 1 })));

  it('L10: a destroyed location cannot fail any more', () =>
    given(underway, locationDestroyed('ovh-gra-1', AFTER))
      .when(recordLocationDestructionFailed('ovh-gra-1', AFTER))
      .thenThrows('destruction.location_already_destroyed', 'conflict'));

  it('L11: a failure names its attempt and a short reason', () => {
    given(underway).when(recordLocationDestructionFailed('ovh-gra-1', AFTER, 0)).thenThrows('input.invalid_number', 'validation');
    given(underway).when(recordLocationDestructionFailed('ovh-gra-1', AFTER, 1, 'x'.repeat(201))).thenThrows('input.too_long', 'validation');
    given(underway).when(recordLocationDestructionFailed('nowhere', AFTER)).thenThrows('destruction.unknown_location', 'not_found');
    given(planned).when(recordLocationDestructionFailed('ovh-gra-1', AFTER)).thenThrows('destruction.not_started', 'conflict');
  });
});

describe('L10: completing destruction', () => {
  const certificateFor = (completedAt: string, withinDeadline: boolean): DestructionCompleted => ({
    type: 'DestructionCompleted',
    data: {
      completedAt,
      certificate: {
        certificateId: 'cert-1',
        contractId: CONTRACT_ID,
        reference: 'ACME-2027-001',
        endedAt: END,
        endKind: 'terminated',
        endReason: 'client moved to another host',
        deadline: DEADLINE,
        completedAt,
        locations: [
          { id: 'web-platform', name: 'Web platform', destroyedAt: AFTER, evidence: evidence(AFTER) },
          { id: 'ovh-sbg-2', name: 'OVH SBG-2', destroyedAt: AFTER, evidence: evidence(AFTER) },
          { id: 'ovh-gra-1', name: 'OVH GRA-1', destroyedAt: AFTER, evidence: evidence(AFTER) },
          { id: 'company-backup-le-tholonet', name: "Company's own backup", destroyedAt: AFTER, evidence: evidence(AFTER) },
        ],
        withinDeadline,
      },
    },
  });

  it('L10: with every location destroyed the engine issues the destruction certificate', () =>
    given(underway, allLocationsDestroyed(AFTER))
      .when(completeDestruction('2028-01-10T00:00:00Z'))
      .then(certificateFor(AFTER, true))
      .andState((s) => expect(s).toMatchObject({ status: 'destroyed', destruction: { status: 'completed', completedAt: AFTER, certificate: { certificateId: 'cert-1' } } })));

  it('P11/L11: a certificate issued after the deadline says so', () =>
    given(underway, allLocationsDestroyed(AFTER), destructionDeadlineMissed(DEADLINE, DEADLINE))
      .when(completeDestruction('2028-03-01T00:00:00Z'))
      .then(certificateFor('2028-03-01T00:00:00.000Z', false)));

  it('L10: destruction completes only when every location is destroyed', () =>
    given(underway, locationDestroyed('web-platform', AFTER)).when(completeDestruction(AFTER)).thenThrows('destruction.locations_pending', 'rule'));

  it('L10: destruction completes only once started', () =>
    given(planned).when(completeDestruction(AFTER)).thenThrows('destruction.not_started', 'conflict'));

  it('L10: a certificate has an id', () =>
    given(underway, allLocationsDestroyed(AFTER)).when(completeDestruction(AFTER, '')).thenThrows('input.required', 'validation'));
});
