import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { assistanceDue, nextTimer, reminderDue, subjectRequestClocks, subjectRequestStream, toSubjectRequestView } from './subject-request.decider';
import type { SubjectRequestCommand, SubjectRequestEvent } from './subject-request.model';
import { subjectRequestType } from './subject-request.type';

const given = specify(subjectRequestStream, (s) => (s.status === 'none' ? [] : [s.reference]));

const RID = 'f1c4a1de-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';

const open = (over: Partial<Extract<SubjectRequestCommand, { type: 'OpenSubjectRequest' }>['data']> = {}): SubjectRequestCommand => ({
  type: 'OpenSubjectRequest',
  data: { requestId: RID, contractId: CID, requestType: 'access', receivedAt: '2027-01-31T09:00:00Z', receivedBy: 'controller', reference: 'TICKET-42', assistanceMargin: 'P7D', contractOrderedAt: '2027-01-10T00:00:00.000Z', openedAt: '2027-01-31T10:00:00.000Z', ...over },
});

// Expected instants written out by hand (calendar months clamp to the month's end, §2).
const opened: SubjectRequestEvent = {
  type: 'SubjectRequestOpened',
  data: {
    requestId: RID,
    contractId: CID,
    requestType: 'access',
    receivedAt: '2027-01-31T09:00:00.000Z',
    receivedBy: 'controller',
    reference: 'TICKET-42',
    deadline: '2027-02-28T09:00:00.000Z',
    assistanceMargin: 'P7D',
    openedAt: '2027-01-31T10:00:00.000Z',
  },
};

describe('data-subject request files (P7; GDPR 12(3); DESIGN §3.2)', () => {
  it('opens with the controller\'s deadline a calendar month after receipt, and the processor\'s target P7D before it', () => {
    given()
      .when(open())
      .then(opened)
      .andState((s) => {
        if (s.status === 'none') throw new Error('not opened');
        expect(assistanceDue(s)).toBe('2027-02-21T09:00:00.000Z');
        expect(reminderDue(s)).toBe('2027-02-18T09:00:00.000Z');
        expect(subjectRequestClocks(s)).toEqual([
          { kind: 'subject-request-assistance', at: '2027-02-21T09:00:00.000Z' },
          { kind: 'subject-request-deadline', at: '2027-02-28T09:00:00.000Z' },
        ]);
      });
  });

  it('a retried opening is nothing new; another request under the same id is a conflict', () => {
    given(opened).when(open()).thenNothing();
    given(opened).when(open({ requestType: 'erasure' })).thenThrows('subject_request.exists', 'conflict');
  });

  it('refuses bad input: unknown type or receiver, a reference holding an email address, a receipt in the future', () => {
    given().when(open({ requestType: 'curiosity' })).thenThrows('subject_request.invalid_type', 'validation');
    given().when(open({ receivedBy: 'someone' })).thenThrows('subject_request.invalid_receiver', 'validation');
    // No personal data is stored: an email address cannot be a reference.
    given().when(open({ reference: 'jane.doe@example.com' })).thenThrows('input.invalid_format', 'validation');
    // Nor a phone number, however it is written: 9 to 15 digits once the separators are out.
    for (const phone of ['0612345678', '06.12.34.56.78', '06-12-34-56-78', '0033-6-12-34-56-78', '555/123-4567', '447911123456']) {
      given().when(open({ reference: phone })).thenThrows('subject_request.personal_reference', 'rule');
    }
    // A ticket number of up to 8 digits, or one with letters, is a reference.
    for (const ticket of ['12345678', 'DSR-2027-0042', 'T/2027/123456789']) given().when(open({ reference: ticket })).then({ ...opened, data: { ...opened.data, reference: ticket } });
    given().when(open({ receivedAt: '2027-02-30T09:00:00Z' })).thenThrows('calendar.invalid_instant', 'validation');
    given().when(open({ receivedAt: '2027-01-31T10:06:00Z' })).thenThrows('subject_request.received_in_future', 'rule');
    given().when(open({ receivedAt: '2027-01-09T23:59:59Z' })).thenThrows('subject_request.received_before_order', 'rule');
    given(opened).when(open({ contractId: 'c0ffee00-0000-4000-8000-000000000002' })).thenThrows('subject_request.exists', 'conflict');
    given().when(open({ receivedAt: '2027-01-31T10:04:00Z' })).then({ ...opened, data: { ...opened.data, receivedAt: '2027-01-31T10:04:00.000Z', deadline: '2027-02-28T10:04:00.000Z' } });
  });

  it('the target and its reminder never fall before receipt, however large the margin', () => {
    const s = given().when(open({ assistanceMargin: 'P2M' })).then({ ...opened, data: { ...opened.data, assistanceMargin: 'P2M' } }).state;
    if (s.status === 'none') throw new Error('not opened');
    expect(assistanceDue(s)).toBe('2027-01-31T09:00:00.000Z');
    expect(reminderDue(s)).toBe('2027-01-31T09:00:00.000Z');
  });

  it('12(3): one extension of one or two months, counted from receipt (Jan 31 + 3 months = Apr 30), only before the first deadline', () => {
    const extend = (months: unknown, extendedAt = '2027-02-20T00:00:00.000Z', reason: unknown = 'complex request'): SubjectRequestCommand => ({ type: 'ExtendSubjectRequest', data: { months, reason, extendedAt } });
    const extended: SubjectRequestEvent = { type: 'SubjectRequestExtended', data: { months: 2, reason: 'complex request', extendedTo: '2027-04-30T09:00:00.000Z', extendedAt: '2027-02-20T00:00:00.000Z' } };
    given(opened)
      .when(extend(2))
      .then(extended)
      .andState((s) => {
        if (s.status === 'none') throw new Error('not opened');
        expect(assistanceDue(s)).toBe('2027-04-23T09:00:00.000Z');
      });
    given(opened).when(extend(1)).then({ ...extended, data: { ...extended.data, months: 1, extendedTo: '2027-03-31T09:00:00.000Z' } });
    given(opened).when(extend(3)).thenThrows('subject_request.invalid_extension', 'validation');
    given(opened).when(extend(0)).thenThrows('subject_request.invalid_extension', 'validation');
    given(opened).when(extend(1.5)).thenThrows('subject_request.invalid_extension', 'validation');
    given(opened).when(extend(1, '2027-02-20T00:00:00.000Z', null)).thenThrows('input.required', 'validation');
    given(opened).when(extend(1, '2027-02-28T09:00:00.000Z')).thenThrows('subject_request.extension_too_late', 'rule');
    given(opened, extended).when(extend(1)).thenThrows('subject_request.already_extended', 'conflict');
  });

  it('a request the processor received is passed to the controller once; one the controller received is not', () => {
    const byProcessor: SubjectRequestEvent = { ...opened, data: { ...opened.data, receivedBy: 'processor' } };
    const forward: SubjectRequestCommand = { type: 'ForwardSubjectRequest', data: { forwardedAt: '2027-01-31T10:00:01.000Z' } };
    given(byProcessor).when(forward).then({ type: 'SubjectRequestForwarded', data: { forwardedAt: '2027-01-31T10:00:01.000Z' } });
    given(byProcessor, { type: 'SubjectRequestForwarded', data: { forwardedAt: '2027-01-31T10:00:01.000Z' } }).when(forward).thenNothing();
    given(opened).when(forward).thenThrows('subject_request.not_received_by_processor', 'conflict');
  });

  it('its clocks: the reminder P3D before the target, then the escalation at it, each once; none once completed', () => {
    const s0 = given(opened).state;
    const t1 = nextTimer(s0)!;
    expect(t1).toMatchObject({ kind: 'assistance-reminder', at: '2027-02-18T09:00:00.000Z' });
    const reminded = subjectRequestStream.decide(t1.command('2027-02-18T09:00:02.000Z'), s0);
    expect(reminded).toEqual([{ type: 'AssistanceReminded', data: { dueAt: '2027-02-21T09:00:00.000Z', actedAt: '2027-02-18T09:00:02.000Z' } }]);
    const s1 = reminded.reduce(subjectRequestStream.evolve, s0);
    expect(subjectRequestStream.decide(t1.command('2027-02-18T09:00:05.000Z'), s1)).toEqual([]);
    const t2 = nextTimer(s1)!;
    expect(t2).toMatchObject({ kind: 'assistance-escalation', at: '2027-02-21T09:00:00.000Z' });
    // A worker down for three days: the escalation records when it was due and when it acted.
    const escalated = subjectRequestStream.decide(t2.command('2027-02-24T09:00:00.000Z'), s1);
    expect(escalated).toEqual([{ type: 'AssistanceEscalated', data: { dueAt: '2027-02-21T09:00:00.000Z', actedAt: '2027-02-24T09:00:00.000Z' } }]);
    const s2 = escalated.reduce(subjectRequestStream.evolve, s1);
    expect(nextTimer(s2)).toBeNull();
    expect(toSubjectRequestView(s2, '2027-02-24T09:00:00.000Z').overdue).toEqual(['assistanceDue']);
    expect(toSubjectRequestView(s2, '2027-03-01T00:00:00.000Z').overdue).toEqual(['assistanceDue', 'deadline']);
  });

  it('an extension moves the target: its reminder and escalation come again for the new one', () => {
    const s = given(opened, { type: 'AssistanceReminded', data: { dueAt: '2027-02-21T09:00:00.000Z', actedAt: '2027-02-18T09:00:00.000Z' } }, { type: 'SubjectRequestExtended', data: { months: 1, reason: 'r', extendedTo: '2027-03-31T09:00:00.000Z', extendedAt: '2027-02-19T00:00:00.000Z' } }).state;
    expect(nextTimer(s)).toMatchObject({ kind: 'assistance-reminder', at: '2027-03-21T09:00:00.000Z' });
    // The old target's escalation, arriving late, acts on nothing.
    expect(subjectRequestStream.decide({ type: 'EscalateAssistance', data: { dueAt: '2027-02-21T09:00:00.000Z', actedAt: '2027-02-21T09:00:00.000Z' } }, s)).toEqual([]);
  });

  it('12(4): completion needs a reason for anything but fulfilled; after the deadline it is recorded late; then the file is final', () => {
    const complete = (outcome: unknown, completedAt: string, reason: unknown = null): SubjectRequestCommand => ({ type: 'CompleteSubjectRequest', data: { outcome, reason, completedAt } });
    given(opened).when(complete('fulfilled', '2027-02-10T00:00:00.000Z')).then({ type: 'SubjectRequestCompleted', data: { outcome: 'fulfilled', reason: null, completedAt: '2027-02-10T00:00:00.000Z', late: false } });
    given(opened).when(complete('refused', '2027-02-10T00:00:00.000Z')).thenThrows('subject_request.reason_required', 'validation');
    given(opened).when(complete('maybe', '2027-02-10T00:00:00.000Z')).thenThrows('subject_request.invalid_outcome', 'validation');
    const late = given(opened).when(complete('partially-fulfilled', '2027-02-28T09:00:01.000Z', 'some data was already erased')).then({
      type: 'SubjectRequestCompleted',
      data: { outcome: 'partially-fulfilled', reason: 'some data was already erased', completedAt: '2027-02-28T09:00:01.000Z', late: true },
    }).state;
    expect(subjectRequestStream.isFinal(late)).toBe(true);
    expect(nextTimer(late)).toBeNull();
    expect(subjectRequestClocks(late)).toEqual([]);
    expect(toSubjectRequestView(late, '2027-06-01T00:00:00.000Z')).toMatchObject({ status: 'completed', late: true, overdue: [] });
    given(opened, { type: 'SubjectRequestCompleted', data: { outcome: 'fulfilled', reason: null, completedAt: '2027-02-10T00:00:00.000Z', late: false } })
      .when(complete('refused', '2027-02-11T00:00:00.000Z', 'x'))
      .thenThrows('subject_request.completed', 'conflict');
  });

  it('commands to a request that does not exist are refused as not found', () => {
    given().when({ type: 'CompleteSubjectRequest', data: { outcome: 'fulfilled', reason: null, completedAt: '2027-02-10T00:00:00.000Z' } }).thenThrows('subject_request.not_found', 'not_found');
  });

  it('passes a request the processor received on at once (a timer due at its opening), and owes its email once the fact is recorded', () => {
    const byProcessor: SubjectRequestEvent = { type: 'SubjectRequestOpened', data: { ...opened.data, receivedBy: 'processor' } } as SubjectRequestEvent;
    const state = given(byProcessor).state;
    const forward = nextTimer(state)!;
    expect(forward).toMatchObject({ kind: 'subject-request-forward', at: '2027-01-31T10:00:00.000Z' });
    const forwarded: SubjectRequestEvent = { type: 'SubjectRequestForwarded', data: { forwardedAt: '2027-01-31T10:00:00.200Z' } };
    given(byProcessor).when(forward.command('2027-01-31T10:00:00.200Z')).then(forwarded);
    given(byProcessor, forwarded).when(forward.command('2027-01-31T10:00:01.000Z')).thenNothing();
    // Then the assistance target's reminder, as for any request.
    expect(nextTimer(given(byProcessor, forwarded).state)).toMatchObject({ kind: 'assistance-reminder', at: '2027-02-18T09:00:00.000Z' });
    // A request the controller received is never passed on.
    expect(nextTimer(given(opened).state)).toMatchObject({ kind: 'assistance-reminder' });

    const parties = { controllerName: 'Client SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: 'dpo@client.example', contractReference: 'C-1' };
    expect(subjectRequestType.emails!(given(byProcessor).state, parties)).toEqual([]);
    expect(subjectRequestType.emails!(given(byProcessor, forwarded).state, parties)).toEqual([
      {
        kind: 'subject-request-forwarded',
        controllerName: 'Client SAS',
        requestId: RID,
        contractId: CID,
        requestType: 'access',
        requestReference: 'TICKET-42',
        receivedAt: '2027-01-31T09:00:00.000Z',
        deadline: '2027-02-28T09:00:00.000Z',
        assistanceDue: '2027-02-21T09:00:00.000Z',
        controllerEmail: 'privacy@client.example',
        controllerDpoEmail: 'dpo@client.example',
        contractReference: 'C-1',
      },
    ]);
  });

  it('owes each nudge for the target it was due for', () => {
    const reminded: SubjectRequestEvent = { type: 'AssistanceReminded', data: { dueAt: '2027-02-21T09:00:00.000Z', actedAt: '2027-02-18T09:00:01.000Z' } };
    const parties = { controllerName: 'Client SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: null, contractReference: null };
    const mails = subjectRequestType.emails!(given(opened, reminded).state, parties);
    expect(mails.map((m) => [m.kind, (m as unknown as { assistanceDue: string }).assistanceDue])).toEqual([['assistance-reminder', '2027-02-21T09:00:00.000Z']]);
  });
});
