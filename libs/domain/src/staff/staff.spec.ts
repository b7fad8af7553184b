import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { openApiSchemaOf, parseBody } from '../kit/schema';
import { authorisationsOn, nextTimer, staffClocks, staffStream, toStaffView, type StaffCommand, type StaffEvent, type StaffState } from './staff.decider';
import { staffType } from './staff.type';

const given = specify(staffStream);
const SID = '5aff0000-0000-4000-8000-000000000001';
const C1 = 'c0ffee00-0000-4000-8000-000000000001';
const C2 = 'c0ffee00-0000-4000-8000-000000000002';
const at = (s: string) => `2027-${s}.000Z`;
const registeredEv: StaffEvent = { type: 'StaffRegistered', data: { staffId: SID, name: 'Alex Martin', email: 'alex@processor.example', recordedAt: at('01-10T09:00:00') } };
const signed: StaffEvent = { type: 'ConfidentialitySigned', data: { signedAt: at('01-10T08:00:00'), recordedAt: at('01-10T09:05:00') } };
const trained: StaffEvent = { type: 'TrainingRecorded', data: { completedAt: at('01-05T00:00:00'), course: 'GDPR for operators', validFor: 'P1Y', validUntil: '2028-01-05T00:00:00.000Z', recordedAt: at('01-10T09:06:00') } };
const authorise = (contractId: string, recordedAt = at('02-01T00:00:00')): StaffCommand => ({ type: 'AuthorisePerson', data: { contractId, recordedAt } });
const authorised = (contractId: string, recordedAt = at('02-01T00:00:00')): StaffEvent => ({ type: 'PersonAuthorised', data: { contractId, recordedAt } });
const state = (...events: StaffEvent[]) => given(...events).state as Extract<StaffState, { status: 'registered' }>;

describe('the roster of authorised persons (P3, P4; DESIGN §3.4)', () => {
  it('registers a person, their confidentiality undertaking and their training (P1Y by default); repeats record nothing', () => {
    given().when({ type: 'RegisterStaff', data: { staffId: SID, name: 'Alex Martin', email: 'alex@processor.example', recordedAt: at('01-10T09:00:00') } }).then(registeredEv);
    given(registeredEv).when({ type: 'RegisterStaff', data: { staffId: SID, name: 'Alex Martin', email: 'alex@processor.example', recordedAt: at('01-11T09:00:00') } }).thenNothing();
    given(registeredEv).when({ type: 'RegisterStaff', data: { staffId: SID, name: 'Sam', email: 'alex@processor.example', recordedAt: at('01-11T09:00:00') } }).thenThrows('staff.exists', 'conflict');
    given().when({ type: 'RegisterStaff', data: { staffId: SID, name: 'Alex', email: 'not-an-email', recordedAt: at('01-10T09:00:00') } }).thenThrows('input.invalid_email', 'validation');
    given(registeredEv).when({ type: 'SignConfidentiality', data: { signedAt: '2027-01-10T08:00:00Z', recordedAt: at('01-10T09:05:00') } }).then(signed);
    given(registeredEv, signed).when({ type: 'SignConfidentiality', data: { signedAt: '2027-01-10T08:00:00Z', recordedAt: at('01-10T09:05:00') } }).thenNothing();
    given(registeredEv).when({ type: 'SignConfidentiality', data: { signedAt: '2027-01-10T09:30:00Z', recordedAt: at('01-10T09:05:00') } }).thenThrows('staff.in_future', 'rule');
    given(registeredEv, signed).when({ type: 'RecordTraining', data: { completedAt: '2027-01-05T00:00:00Z', course: 'GDPR for operators', validFor: undefined, recordedAt: at('01-10T09:06:00') } }).then(trained);
    given(registeredEv, signed, trained).when({ type: 'RecordTraining', data: { completedAt: '2027-01-05T00:00:00Z', course: 'GDPR for operators', validFor: 'P1Y', recordedAt: at('01-10T09:07:00') } }).thenNothing();
    given(registeredEv).when({ type: 'RecordTraining', data: { completedAt: '2027-01-05T00:00:00Z', course: 'x', validFor: 'P6Y', recordedAt: at('01-10T09:06:00') } }).thenThrows('staff.validity_too_long', 'rule');
    given(registeredEv).when({ type: 'RecordTraining', data: { completedAt: '2027-01-05T00:00:00Z', course: 'x', validFor: 'a year', recordedAt: at('01-10T09:06:00') } }).thenThrows('calendar.invalid_duration', 'validation');
    given().when({ type: 'SignConfidentiality', data: { signedAt: '2027-01-10T08:00:00Z', recordedAt: at('01-10T09:05:00') } }).thenThrows('staff.not_found', 'not_found');
    // A later, shorter training does not shorten the clearance.
    const short: StaffEvent = { type: 'TrainingRecorded', data: { completedAt: at('03-01T00:00:00'), course: 'refresher', validFor: 'P1M', validUntil: at('04-01T00:00:00'), recordedAt: at('03-01T10:00:00') } };
    expect(state(registeredEv, signed, trained, short).trainingValidUntil).toBe('2028-01-05T00:00:00.000Z');
  });

  it('authorises a person on a contract only with both in place (roster.not_cleared), and keeps the history of who had access', () => {
    given(registeredEv).when(authorise(C1)).thenThrows('roster.not_cleared', 'rule');
    given(registeredEv, signed).when(authorise(C1)).thenThrows('roster.not_cleared', 'rule');
    given(registeredEv, trained).when(authorise(C1)).thenThrows('roster.not_cleared', 'rule');
    // A lapsed training does not clear.
    given(registeredEv, signed, trained).when(authorise(C1, '2028-01-05T00:00:00.000Z')).thenThrows('roster.not_cleared', 'rule');
    given(registeredEv, signed, trained).when(authorise(C1)).then(authorised(C1));
    given(registeredEv, signed, trained, authorised(C1)).when(authorise(C1)).thenNothing();
    const revoke: StaffCommand = { type: 'RevokeAuthorisation', data: { contractId: C1, recordedAt: at('06-01T00:00:00') } };
    const revoked: StaffEvent = { type: 'AuthorisationRevoked', data: { contractId: C1, recordedAt: at('06-01T00:00:00') } };
    given(registeredEv, signed, trained, authorised(C1)).when(revoke).then(revoked);
    given(registeredEv, signed, trained, authorised(C1), revoked).when(revoke).thenNothing();
    given(registeredEv, signed, trained).when(revoke).thenThrows('roster.not_authorised', 'not_found');
    const s = state(registeredEv, signed, trained, authorised(C1), revoked, authorised(C1, at('07-01T00:00:00')), authorised(C2));
    expect(authorisationsOn(s, C1, at('08-01T00:00:00'))).toEqual([
      { staffId: SID, name: 'Alex Martin', authorisedFrom: at('02-01T00:00:00'), authorisedUntil: at('06-01T00:00:00'), confidentialitySignedAt: at('01-10T08:00:00'), trainingValidUntil: '2028-01-05T00:00:00.000Z', cleared: true, gaps: [] },
      { staffId: SID, name: 'Alex Martin', authorisedFrom: at('07-01T00:00:00'), authorisedUntil: null, confidentialitySignedAt: at('01-10T08:00:00'), trainingValidUntil: '2028-01-05T00:00:00.000Z', cleared: true, gaps: [] },
    ]);
    expect(toStaffView(s, at('08-01T00:00:00'))).toMatchObject({ cleared: true, gaps: [], contracts: [C1, C2], overdue: [] });
  });

  it('reminds P30D before the training lapses; at the lapse records the contracts it opens a gap on, which they show; a new training closes it', () => {
    const s = state(registeredEv, signed, trained, authorised(C1));
    const reminder = nextTimer(s)!;
    expect(reminder).toMatchObject({ kind: 'training-lapse-reminder', at: '2027-12-06T00:00:00.000Z' });
    const reminded: StaffEvent = { type: 'TrainingLapseReminded', data: { dueAt: '2028-01-05T00:00:00.000Z', actedAt: '2027-12-06T00:00:01.000Z' } };
    given(registeredEv, signed, trained, authorised(C1)).when(reminder.command('2027-12-06T00:00:01.000Z')).then(reminded);
    const lapse = nextTimer(state(registeredEv, signed, trained, authorised(C1), reminded))!;
    expect(lapse).toMatchObject({ kind: 'training-lapse', at: '2028-01-05T00:00:00.000Z' });
    const lapsed: StaffEvent = { type: 'TrainingLapsed', data: { dueAt: '2028-01-05T00:00:00.000Z', actedAt: '2028-01-05T00:00:00.200Z', contracts: [C1] } };
    given(registeredEv, signed, trained, authorised(C1), reminded).when(lapse.command('2028-01-05T00:00:00.200Z')).then(lapsed);
    const after = state(registeredEv, signed, trained, authorised(C1), reminded, lapsed);
    expect(nextTimer(after)).toBeNull();
    expect(authorisationsOn(after, C1, '2028-01-06T00:00:00.000Z')).toEqual([expect.objectContaining({ cleared: false, gaps: ['training_lapsed'] })]);
    expect(toStaffView(after, '2028-01-06T00:00:00.000Z')).toMatchObject({ cleared: false, gaps: ['training_lapsed'], overdue: ['trainingValidUntil'] });
    // Still on a contract: the lapse stays in the inbox, overdue; off every contract, it leaves it.
    expect(staffClocks(after)).toEqual([{ kind: 'training-lapse', at: '2028-01-05T00:00:00.000Z' }]);
    expect(staffClocks(state(registeredEv, signed, trained, authorised(C1), reminded, lapsed, { type: 'AuthorisationRevoked', data: { contractId: C1, recordedAt: '2028-01-07T00:00:00.000Z' } }))).toEqual([]);
    // A new training: cleared again, with new clocks.
    const renewed: StaffEvent = { type: 'TrainingRecorded', data: { completedAt: '2028-01-10T00:00:00.000Z', course: 'GDPR for operators', validFor: 'P1Y', validUntil: '2029-01-10T00:00:00.000Z', recordedAt: '2028-01-10T10:00:00.000Z' } };
    const again = state(registeredEv, signed, trained, authorised(C1), reminded, lapsed, renewed);
    expect(authorisationsOn(again, C1, '2028-01-11T00:00:00.000Z')[0]).toMatchObject({ cleared: true, gaps: [] });
    expect(nextTimer(again)).toMatchObject({ kind: 'training-lapse-reminder', at: '2028-12-11T00:00:00.000Z' });
    // A stale clock (the old validity) does nothing.
    given(registeredEv, signed, trained, authorised(C1), reminded, lapsed, renewed).when(lapse.command('2028-01-11T00:00:00.000Z')).thenNothing();
  });

  it('a reminder that finds the training lapsed records the lapse instead; no training, no clock', () => {
    expect(nextTimer(state(registeredEv))).toBeNull();
    expect(staffClocks(state(registeredEv))).toEqual([]);
    // Recorded already lapsed: no reminder, the lapse at once.
    const old: StaffEvent = { type: 'TrainingRecorded', data: { completedAt: '2026-01-01T00:00:00.000Z', course: 'old', validFor: 'P1Y', validUntil: '2027-01-01T00:00:00.000Z', recordedAt: at('01-10T09:06:00') } };
    expect(nextTimer(state(registeredEv, old))).toMatchObject({ kind: 'training-lapse', at: '2027-01-01T00:00:00.000Z' });
    // Lapsing in ten days: reminded at once; a reminder acted on only after the lapse (the engine was down) records the lapse.
    const soon: StaffEvent = { type: 'TrainingRecorded', data: { completedAt: '2026-01-20T00:00:00.000Z', course: 'old', validFor: 'P1Y', validUntil: '2027-01-20T00:00:00.000Z', recordedAt: at('01-10T09:06:00') } };
    const first = nextTimer(state(registeredEv, soon))!;
    expect(first).toMatchObject({ kind: 'training-lapse-reminder', at: at('01-10T09:00:00') });
    given(registeredEv, soon).when(first.command(at('01-21T00:00:00'))).then({ type: 'TrainingLapsed', data: { dueAt: '2027-01-20T00:00:00.000Z', actedAt: at('01-21T00:00:00'), contracts: [] } });
    const s = state(registeredEv, soon, { type: 'TrainingLapsed', data: { dueAt: '2027-01-20T00:00:00.000Z', actedAt: at('01-21T00:00:00'), contracts: [] } });
    expect(nextTimer(s)).toBeNull();
    expect(staffClocks(s)).toEqual([]);
    expect(toStaffView(s, at('02-01T00:00:00'))).toMatchObject({ cleared: false, gaps: ['no_confidentiality', 'training_lapsed'], overdue: [] });
  });
});

describe('a person on the roster as declared (its commands, the emails it owes)', () => {
  const context = { id: SID, contractId: null, contract: null, recordedAt: at('01-10T09:00:00') };
  const nobody = { controllerName: '', controllerEmail: '', controllerDpoEmail: null, contractReference: null };
  const command = (name: string, body: unknown, recordedAt = context.recordedAt, contractId: string | null = null) => staffType.commands![name]!.toCommand(body, { ...context, contractId, recordedAt }) as StaffCommand;

  it('translates each command body into the domain command, which the decider takes', () => {
    const register = parseBody(staffType.commands!['register']!.schema(), { name: 'Alex Martin', email: 'alex@processor.example' });
    expect(register.ok).toBe(true);
    given().when(command('register', register.ok && register.value)).then(registeredEv);
    given(registeredEv).when(command('signConfidentiality', { signedAt: '2027-01-10T08:00:00Z' }, at('01-10T09:05:00'))).then(signed);
    // No validity given: the default P1Y.
    given(registeredEv, signed).when(command('recordTraining', { completedAt: '2027-01-05T00:00:00Z', course: 'GDPR for operators' }, at('01-10T09:06:00'))).then(trained);
    // Authorised and revoked on the contract the body names (addressed from that contract).
    given(registeredEv, signed, trained).when(command('authorise', { staffId: SID }, at('02-01T00:00:00'), C1)).then(authorised(C1));
    given(registeredEv, signed, trained, authorised(C1)).when(command('revoke', {}, at('03-01T00:00:00'), C1)).then({ type: 'AuthorisationRevoked', data: { contractId: C1, recordedAt: at('03-01T00:00:00') } });
    expect(parseBody(staffType.commands!['authorise']!.schema(), {}).ok).toBe(false);
    // The email is checked as one at the edge, as the domain checks it.
    const badEmail = parseBody(staffType.commands!['register']!.schema(), { name: 'Alex Martin', email: 'not-an-email' });
    expect(badEmail.ok).toBe(false);
    expect(!badEmail.ok && badEmail.problems).toEqual([{ field: 'email', problem: 'email must be an email address' }]);
    expect(openApiSchemaOf(staffType.commands!['register']!.schema())).toMatchObject({ properties: { email: { format: 'email' } } });
    expect(parseBody(staffType.commands!['revoke']!.schema(), { staffId: SID }).ok).toBe(false);
    expect(staffType.commands!['register']!.roles).toEqual(['admin', 'dpo']);
    expect(staffType.commands!['authorise']!.roles).toEqual(['account_manager', 'dpo']);
  });

  it('owes account management a reminder naming the contracts the person is on, and the DPO the lapse only when it opens a gap', () => {
    const due = '2028-01-05T00:00:00.000Z';
    const reminded: StaffEvent = { type: 'TrainingLapseReminded', data: { dueAt: due, actedAt: '2027-12-06T00:00:01.000Z' } };
    const lapsedOn = (contracts: string[]): StaffEvent => ({ type: 'TrainingLapsed', data: { dueAt: due, actedAt: '2028-01-05T00:00:00.200Z', contracts } });
    const base = [registeredEv, signed, trained, authorised(C1), authorised(C2)];
    expect(staffType.emails!(state(...base), nobody)).toEqual([]);
    expect(staffType.emails!(state(...base, reminded), nobody)).toEqual([
      { kind: 'training-lapse-reminder', staffId: SID, name: 'Alex Martin', trainingValidUntil: due, contracts: [C1, C2] },
    ]);
    expect(staffType.emails!(state(...base, reminded, lapsedOn([C1])), nobody)).toEqual([
      { kind: 'training-lapse-reminder', staffId: SID, name: 'Alex Martin', trainingValidUntil: due, contracts: [C1, C2] },
      { kind: 'training-lapsed', staffId: SID, name: 'Alex Martin', trainingValidUntil: due, contracts: [C1] },
    ]);
    // Lapsed while on no contract: no gap, nothing for the DPO.
    expect(staffType.emails!(state(registeredEv, signed, trained, reminded, lapsedOn([])), nobody).map((m) => m.kind)).toEqual(['training-lapse-reminder']);
    // A state stored before the lapse kept its contracts: nothing for the DPO either.
    const old = { ...state(registeredEv, signed, trained), lapsed: { dueAt: due, actedAt: '2028-01-05T00:00:00.200Z' } };
    expect(staffType.emails!(old, nobody)).toEqual([]);
  });
});
