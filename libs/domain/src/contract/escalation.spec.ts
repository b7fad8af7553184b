import { describe, expect, it } from 'vitest';
import { given } from '../testing/given';
import {
  activeSince,
  allLocationsDestroyed,
  destructionDeadlineMissed,
  destructionEscalated,
  destructionPlanned,
  destructionUnderway,
  escalateDestruction,
  locationDestroyed,
  markDeadlineMissed,
  recordLocationDestroyed,
  completeDestruction,
  terminatedAndRevoked,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const END = '2027-12-31T00:00:00.000Z';
const ESCALATION = '2028-02-22T00:00:00.000Z';
const DEADLINE = '2028-02-29T00:00:00.000Z';
const yearly = { billingPeriod: 'P1Y' } as const;
const underway = destructionUnderway(T0, END, END, yearly);

describe('L11: escalation and the missed deadline', () => {
  it('L11: a safety margin (7 days) before the deadline an unfinished destruction is escalated', () =>
    given(underway, locationDestroyed('web-platform', '2028-01-02T00:00:00Z'))
      .when(escalateDestruction(ESCALATION))
      .then(destructionEscalated(ESCALATION, DEADLINE, ['ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet']))
      .andState((s) => expect(s).toMatchObject({ destruction: { escalatedAt: ESCALATION } })));

  it('L11: a destruction still waiting for its return window can be escalated too', () =>
    given(destructionPlanned(T0, END, yearly)).when(escalateDestruction(ESCALATION)).then(destructionEscalated(ESCALATION, DEADLINE)));

  it('L11: escalation waits for the safety margin', () =>
    given(underway).when(escalateDestruction('2028-02-21T23:59:59Z')).thenThrows('escalation.too_early', 'rule'));

  it('L11: escalation happens at most once', () =>
    given(underway, destructionEscalated(ESCALATION, DEADLINE)).when(escalateDestruction('2028-02-23T00:00:00Z')).thenNothing());

  it('L11: only a planned destruction is escalated', () => {
    given(terminatedAndRevoked(T0, END, yearly)).when(escalateDestruction(ESCALATION)).thenThrows('destruction.not_scheduled', 'conflict');
    given(activeSince(T0, yearly)).when(escalateDestruction(ESCALATION)).thenThrows('contract.not_ended', 'conflict');
  });

  it('P11/L11: once the deadline passes, the breach is made visible', () =>
    given(underway, allLocationsDestroyed('2028-01-02T00:00:00Z', ['web-platform']))
      .when(markDeadlineMissed(DEADLINE))
      .then(destructionDeadlineMissed(DEADLINE, DEADLINE, ['ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet']))
      .andState((s) => expect(s).toMatchObject({ destruction: { deadlineMissedAt: DEADLINE, status: 'in_progress' } })));

  it('L11: the deadline is not missed before it', () =>
    given(underway).when(markDeadlineMissed('2028-02-28T23:59:59Z')).thenThrows('deadline.not_reached', 'rule'));

  it('L11: a missed deadline is recorded once', () =>
    given(underway, destructionDeadlineMissed(DEADLINE, DEADLINE)).when(markDeadlineMissed('2028-03-01T00:00:00Z')).thenNothing());

  it('L11: only a planned destruction has a deadline to miss', () =>
    given(terminatedAndRevoked(T0, END, yearly)).when(markDeadlineMissed(DEADLINE)).thenThrows('destruction.not_scheduled', 'conflict'));

  it('L11: after a missed deadline destruction keeps trying and can still complete', () =>
    given(underway, allLocationsDestroyed('2028-03-01T00:00:00Z', ['web-platform', 'ovh-sbg-2', 'ovh-gra-1']), destructionDeadlineMissed(DEADLINE, DEADLINE))
      .when(recordLocationDestroyed('company-backup-le-tholonet', '2028-03-02T00:00:00Z'))
      .then(locationDestroyed('company-backup-le-tholonet', '2028-03-02T00:00:00Z'))
      .andState((s) => expect(s).toMatchObject({ status: 'terminated', destruction: { status: 'in_progress', deadlineMissedAt: DEADLINE } })));

  it('L11: a destruction completed after the missed deadline is certified as late', () =>
    given(underway, allLocationsDestroyed('2028-03-01T00:00:00Z'), destructionDeadlineMissed(DEADLINE, DEADLINE))
      .when(completeDestruction('2028-03-02T00:00:00Z'))
      .thenState((s) => expect(s).toMatchObject({ status: 'destroyed', destruction: { certificate: { withinDeadline: false } } })));
});
