import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import type { EmailSent } from '../kit/mail';
import { acknowledgementDue, breachNoticeClocks, breachNoticeStream, controllerAuthorityDue, nextTimer, noticeMessageIds, toBreachNoticeView, toFollow } from './breach-notice.decider';
import type { BreachNoticeCommand, BreachNoticeEvent, OpenedBreachNotice } from './breach-notice.model';

const given = specify(breachNoticeStream);
const NID = 'b4eac400-0000-5000-8000-000000000001';
const IID = 'a11ce000-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';
const CONTENT = { summary: 'Backup node reached from outside', nature: 'unauthorised access', dataCategories: null, subjectCategories: null, approxSubjects: null, approxRecords: null, likelyConsequences: null, measures: null };

const open: BreachNoticeCommand = { type: 'OpenBreachNotice', data: { noticeId: NID, incidentId: IID, contractId: CID, awareAt: '2027-03-01T10:00:00.000Z', target: 'PT24H', content: CONTENT, openedAt: '2027-03-01T10:05:00.000Z' } };
// Written out: awareAt + PT24H.
const opened: BreachNoticeEvent = { type: 'BreachNoticeOpened', data: { noticeId: NID, incidentId: IID, contractId: CID, awareAt: '2027-03-01T10:00:00.000Z', targetDue: '2027-03-02T10:00:00.000Z', content: CONTENT, openedAt: '2027-03-01T10:05:00.000Z' } };
const receipt = (kind: string, key: string, acceptedAt: string): Extract<EmailSent, { type: 'EmailSent' }> => ({
  type: 'EmailSent',
  data: { messageId: `<${key.replace(/:/g, '.')}@dpa-engine>`, key, kind, to: ['privacy@client.example'], cc: [], acceptedAt, sha256: '0'.repeat(64) },
});
const sent = receipt('breach-notice', noticeMessageIds.notice(NID), '2027-03-01T10:06:00.000Z');

const state = (...events: (BreachNoticeEvent | EmailSent)[]) => given(...events).state as OpenedBreachNotice;

describe('breach notices (P8; GDPR 33(2)–(4); DESIGN §3.1)', () => {
  it('opens pending, due BREACH_NOTICE_TARGET after awareAt; opening again is nothing new', () => {
    given().when(open).then(opened).andState((s) => expect(s.status).toBe('pending'));
    given(opened).when(open).thenNothing();
  });

  it('is sent when the SMTP server accepted its email: the controller\'s authority deadline runs 72 hours from then', () => {
    given(opened)
      .when({ type: 'RecordEmailSent', data: sent.data })
      .then(sent)
      .andState((s) => {
        const n = s as OpenedBreachNotice;
        expect(n.status).toBe('sent');
        expect(n.sentAt).toBe('2027-03-01T10:06:00.000Z');
        expect(controllerAuthorityDue(n)).toBe('2027-03-04T10:06:00.000Z');
        expect(acknowledgementDue(n)).toBe('2027-03-02T10:06:00.000Z');
      });
    // A second receipt of the notice (an escalation's, say) does not move sentAt.
    expect(state(opened, sent, receipt('breach-notice', 'x', '2027-03-01T11:00:00.000Z')).sentAt).toBe('2027-03-01T10:06:00.000Z');
    expect(state(opened, receipt('breach-escalation', noticeMessageIds.escalation(NID), '2027-03-01T11:00:00.000Z')).sentAt).toBeNull();
  });

  it('escalates once at its target when not sent by then; a sent notice has no escalation', () => {
    const timer = nextTimer(state(opened));
    expect(timer).toMatchObject({ kind: 'breach-notice-target', at: '2027-03-02T10:00:00.000Z' });
    const escalated: BreachNoticeEvent = { type: 'BreachNoticeEscalated', data: { dueAt: '2027-03-02T10:00:00.000Z', actedAt: '2027-03-02T10:00:01.000Z' } };
    given(opened).when(timer!.command('2027-03-02T10:00:01.000Z')).then(escalated);
    given(opened, escalated).when(timer!.command('2027-03-02T10:00:02.000Z')).thenNothing();
    given(opened, sent).when(timer!.command('2027-03-02T10:00:01.000Z')).thenNothing();
    given(opened).when({ type: 'EscalateBreachNotice', data: { dueAt: '2027-03-05T00:00:00.000Z', actedAt: '2027-03-05T00:00:00.000Z' } }).thenNothing();
    expect(nextTimer(state(opened, escalated))).toBeNull();
    expect(toBreachNoticeView(state(opened), '2027-03-02T10:00:01.000Z').overdue).toEqual(['targetDue']);
    // Sent late: recorded as late, no longer overdue.
    const late = receipt('breach-notice', noticeMessageIds.notice(NID), '2027-03-02T12:00:00.000Z');
    expect(toBreachNoticeView(state(opened, escalated, late), '2027-03-02T12:00:01.000Z')).toMatchObject({ status: 'sent', late: true, overdue: [], escalatedAt: '2027-03-02T10:00:01.000Z' });
  });

  it('reminds account management once when no acknowledgement came PT24H after sending', () => {
    const timer = nextTimer(state(opened, sent));
    expect(timer).toMatchObject({ kind: 'breach-notice-acknowledgement', at: '2027-03-02T10:06:00.000Z' });
    const reminded: BreachNoticeEvent = { type: 'AcknowledgementReminded', data: { dueAt: '2027-03-02T10:06:00.000Z', actedAt: '2027-03-02T10:06:00.000Z' } };
    given(opened, sent).when(timer!.command('2027-03-02T10:06:00.000Z')).then(reminded);
    given(opened, sent, reminded).when(timer!.command('2027-03-02T10:07:00.000Z')).thenNothing();
    expect(nextTimer(state(opened, sent, reminded))).toBeNull();
    expect(toBreachNoticeView(state(opened, sent, reminded), '2027-03-02T10:07:00.000Z').overdue).toEqual(['acknowledgementDue']);
  });

  it("records the controller's acknowledgement once, never before the notice was sent", () => {
    const ack = (acknowledgedAt: unknown): BreachNoticeCommand => ({ type: 'AcknowledgeBreachNotice', data: { acknowledgedAt, recordedAt: '2027-03-01T12:00:00.000Z' } });
    const acknowledged: BreachNoticeEvent = { type: 'BreachNoticeAcknowledged', data: { acknowledgedAt: '2027-03-01T11:00:00.000Z', recordedAt: '2027-03-01T12:00:00.000Z' } };
    given(opened, sent).when(ack('2027-03-01T11:00:00Z')).then(acknowledged).andState((s) => expect(s.status).toBe('acknowledged'));
    given(opened, sent, acknowledged).when(ack('2027-03-01T11:00:00Z')).thenNothing();
    given(opened, sent, acknowledged).when(ack('2027-03-01T11:30:00Z')).thenThrows('breach_notice.acknowledged', 'conflict');
    given(opened).when(ack('2027-03-01T11:00:00Z')).thenThrows('breach_notice.not_sent', 'conflict');
    given(opened, sent).when(ack('2027-03-01T10:00:00Z')).thenThrows('breach_notice.acknowledged_before_sent', 'rule');
    given(opened, sent).when(ack('2027-03-01T12:06:00Z')).thenThrows('breach_notice.acknowledged_in_future', 'rule');
    given(opened, sent).when(ack('soon')).thenThrows('calendar.invalid_instant', 'validation');
    given().when(ack('2027-03-01T11:00:00Z')).thenThrows('breach_notice.not_found', 'not_found');
    expect(nextTimer(state(opened, sent, acknowledged))).toBeNull();
    given(opened, sent, acknowledged).when({ type: 'RemindAcknowledgement', data: { dueAt: '2027-03-02T10:06:00.000Z', actedAt: '2027-03-02T10:06:00.000Z' } }).thenNothing();
  });

  it('records each supplement once, dated by its own receipt; what is still unknown is "to follow"', () => {
    expect(toFollow(CONTENT)).toEqual(['dataCategories', 'subjectCategories', 'approxSubjects', 'approxRecords', 'likelyConsequences', 'measures']);
    const supplement: BreachNoticeEvent = { type: 'SupplementRecorded', data: { number: 1, changes: { approxSubjects: 300, dataCategories: ['email-address'] }, recordedAt: '2027-03-01T15:00:00.000Z' } };
    given(opened, sent).when({ type: 'RecordSupplement', data: supplement.data }).then(supplement);
    given(opened, sent, supplement).when({ type: 'RecordSupplement', data: supplement.data }).thenNothing();
    const supplementSent = receipt('breach-supplement', noticeMessageIds.supplement(NID, 1), '2027-03-01T15:00:05.000Z');
    const view = toBreachNoticeView(state(opened, sent, supplement, supplementSent), '2027-03-01T16:00:00.000Z');
    expect(view.supplements).toEqual([{ ...supplement.data, sentAt: '2027-03-01T15:00:05.000Z' }]);
    expect(view.content).toMatchObject({ approxSubjects: 300, dataCategories: ['email-address'] });
    expect(view.toFollow).toEqual(['subjectCategories', 'approxRecords', 'likelyConsequences', 'measures']);
  });

  it('closes with its incident: final, no clocks left', () => {
    const closed: BreachNoticeEvent = { type: 'BreachNoticeClosed', data: { closedAt: '2027-03-10T00:00:00.000Z' } };
    given(opened, sent).when({ type: 'CloseBreachNotice', data: { closedAt: '2027-03-10T00:00:00.000Z' } }).then(closed).andState((s) => expect(breachNoticeStream.isFinal(s)).toBe(true));
    given(opened, sent, closed).when({ type: 'CloseBreachNotice', data: { closedAt: '2027-03-11T00:00:00.000Z' } }).thenNothing();
    expect(nextTimer(state(opened, sent, closed))).toBeNull();
    expect(breachNoticeClocks(state(opened, sent, closed))).toEqual([]);
    expect(toBreachNoticeView(state(opened, sent, closed), '2027-03-20T00:00:00.000Z')).toMatchObject({ status: 'closed', overdue: [] });
    // An acknowledgement can no longer be recorded on a closed notice (the same one again is nothing new).
    given(opened, sent, closed).when({ type: 'AcknowledgeBreachNotice', data: { acknowledgedAt: '2027-03-01T11:00:00Z', recordedAt: '2027-03-11T00:00:00.000Z' } }).thenThrows('breach_notice.closed', 'conflict');
  });

  it('closed before it could be sent, it still escalates at its target and shows the target overdue; only then is it final', () => {
    const closed: BreachNoticeEvent = { type: 'BreachNoticeClosed', data: { closedAt: '2027-03-01T12:00:00.000Z' } };
    const pending = state(opened, closed);
    expect(breachNoticeStream.isFinal(pending)).toBe(false);
    expect(nextTimer(pending)).toMatchObject({ kind: 'breach-notice-target', at: '2027-03-02T10:00:00.000Z' });
    expect(breachNoticeClocks(pending)).toEqual([{ kind: 'breach-notice-target', at: '2027-03-02T10:00:00.000Z' }]);
    expect(toBreachNoticeView(pending, '2027-03-02T10:00:01.000Z')).toMatchObject({ status: 'closed', overdue: ['targetDue'] });
    const escalated: BreachNoticeEvent = { type: 'BreachNoticeEscalated', data: { dueAt: '2027-03-02T10:00:00.000Z', actedAt: '2027-03-02T10:00:00.000Z' } };
    expect(breachNoticeStream.isFinal(state(opened, closed, escalated))).toBe(true);
  });

  it('lists its clocks for the inbox: the target until sent, then the authority deadline', () => {
    expect(breachNoticeClocks(state(opened))).toEqual([{ kind: 'breach-notice-target', at: '2027-03-02T10:00:00.000Z' }]);
    expect(breachNoticeClocks(state(opened, sent))).toEqual([{ kind: 'breach-notice-authority', at: '2027-03-04T10:06:00.000Z' }]);
    expect(breachNoticeClocks({ status: 'none' })).toEqual([]);
    expect(nextTimer({ status: 'none' })).toBeNull();
  });

  it('records when each event happened, and reads its stored events back', () => {
    const events: (BreachNoticeEvent | EmailSent)[] = [
      opened,
      sent,
      { type: 'BreachNoticeEscalated', data: { dueAt: 'x', actedAt: '2027-03-02T00:00:00.000Z' } },
      { type: 'SupplementRecorded', data: { number: 1, changes: {}, recordedAt: '2027-03-03T00:00:00.000Z' } },
      { type: 'BreachNoticeAcknowledged', data: { acknowledgedAt: 'x', recordedAt: '2027-03-04T00:00:00.000Z' } },
      { type: 'AcknowledgementReminded', data: { dueAt: 'x', actedAt: '2027-03-05T00:00:00.000Z' } },
      { type: 'BreachNoticeClosed', data: { closedAt: '2027-03-06T00:00:00.000Z' } },
    ];
    expect(events.map((e) => breachNoticeStream.occurredAt(e))).toEqual([
      '2027-03-01T10:05:00.000Z',
      '2027-03-01T10:06:00.000Z',
      '2027-03-02T00:00:00.000Z',
      '2027-03-03T00:00:00.000Z',
      '2027-03-04T00:00:00.000Z',
      '2027-03-05T00:00:00.000Z',
      '2027-03-06T00:00:00.000Z',
    ]);
    for (const e of events) expect(breachNoticeStream.upcast({ type: e.type, schemaVersion: 1, data: e.data })).toEqual(e);
    expect(breachNoticeStream.eventVersions).toMatchObject({ BreachNoticeOpened: 1, EmailSent: 1 });
    expect(breachNoticeStream.evolve({ status: 'none' }, sent)).toEqual({ status: 'none' });
    expect(breachNoticeStream.evolve({ status: 'none' }, events[6]!)).toEqual({ status: 'none' });
    expect(() => toBreachNoticeView({ status: 'none' }, '2027-03-01T00:00:00.000Z')).toThrow();
  });
});
