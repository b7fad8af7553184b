import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { auditClocks, auditStream, nextTimer, toAuditView, type AuditCommand, type AuditEvent, type AuditState } from './audit.decider';
import { auditType } from './audit.type';
import { fileType } from '../kit/file-type';

const given = specify(auditStream);
const AID = 'a0d17000-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';
const F1 = 'f1000000-0000-4000-8000-000000000001';
const F2 = 'f2000000-0000-4000-8000-000000000002';
type RequestData = Extract<AuditCommand, { type: 'RequestAudit' }>['data'];
const request = (over: Partial<RequestData> = {}): AuditCommand => ({
  type: 'RequestAudit',
  data: { auditId: AID, contractId: CID, kind: 'inspection', requestedAt: '2027-03-01T09:00:00Z', scope: 'Physical security of the Paris datacenter', auditor: 'Audit & Co', contractOrderedAt: '2027-01-01T00:00:00.000Z', recordedAt: '2027-03-01T10:00:00.000Z', ...over },
});
const requested: AuditEvent = {
  type: 'AuditRequested',
  data: { auditId: AID, contractId: CID, kind: 'inspection', requestedAt: '2027-03-01T09:00:00.000Z', scope: 'Physical security of the Paris datacenter', auditor: 'Audit & Co', recordedAt: '2027-03-01T10:00:00.000Z' },
};
const schedule = (scheduledFor: unknown, recordedAt = '2027-03-02T10:00:00.000Z'): AuditCommand => ({ type: 'ScheduleAudit', data: { scheduledFor, recordedAt } });
const scheduled: AuditEvent = { type: 'AuditScheduled', data: { scheduledFor: '2027-03-15T09:00:00.000Z', recordedAt: '2027-03-02T10:00:00.000Z' } };
const perform = (performedAt: unknown, recordedAt = '2027-03-15T18:00:00.000Z'): AuditCommand => ({ type: 'RecordAuditPerformance', data: { performedAt, reportRef: 'AUD-2027-07', recordedAt } });
const performed: AuditEvent = { type: 'AuditPerformed', data: { performedAt: '2027-03-15T17:00:00.000Z', reportRef: 'AUD-2027-07', recordedAt: '2027-03-15T18:00:00.000Z' } };
const finding = (findingId: string, remediationDueAt: unknown, summary: unknown = 'Visitor log not kept'): AuditCommand => ({ type: 'RecordFinding', data: { findingId, summary, remediationDueAt, recordedAt: '2027-03-16T10:00:00.000Z' } });
const f1: AuditEvent = { type: 'FindingRecorded', data: { findingId: F1, summary: 'Visitor log not kept', remediationDueAt: '2027-04-15T00:00:00.000Z', recordedAt: '2027-03-16T10:00:00.000Z' } };
const f2: AuditEvent = { type: 'FindingRecorded', data: { findingId: F2, summary: 'Badge reader offline', remediationDueAt: '2027-04-01T00:00:00.000Z', recordedAt: '2027-03-16T10:00:00.000Z' } };
const remediate = (findingId: string, remediatedAt: unknown, recordedAt = '2027-04-20T10:00:00.000Z'): AuditCommand => ({ type: 'RemediateFinding', data: { findingId, remediatedAt, summary: 'Log kept at the desk', recordedAt } });
const r = (findingId: string, remediatedAt: string): AuditEvent => ({ type: 'FindingRemediated', data: { findingId, remediatedAt, summary: 'Log kept at the desk', recordedAt: '2027-04-20T10:00:00.000Z' } });
const close: AuditCommand = { type: 'CloseAudit', data: { summary: 'all findings remediated', recordedAt: '2027-04-21T00:00:00.000Z' } };
const state = (...events: AuditEvent[]) => given(...events).state as Exclude<AuditState, { status: 'none' }>;

describe('audits and inspections (C3, C4; DESIGN §3.7)', () => {
  it('requested, scheduled with reasonable notice, performed, its findings recorded and remediated, then closed', () => {
    given().when(request()).then(requested);
    given(requested).when(request()).thenNothing();
    given(requested).when(request({ scope: 'other' })).thenThrows('audit.exists', 'conflict');
    // An inspection of premises: no earlier than P14D after the request (2027-03-15T09:00Z).
    given(requested).when(schedule('2027-03-15T08:59:59Z')).thenThrows('audit.short_notice', 'rule');
    given(requested).when(schedule('2027-03-15T09:00:00Z')).then(scheduled);
    given(requested, scheduled).when(schedule('2027-03-15T09:00:00Z')).thenNothing();
    given(requested, scheduled).when(schedule('2027-03-20T09:00:00Z')).then({ type: 'AuditScheduled', data: { scheduledFor: '2027-03-20T09:00:00.000Z', recordedAt: '2027-03-02T10:00:00.000Z' } });
    given(requested).when(perform('2027-03-15T17:00:00Z')).thenThrows('audit.wrong_status', 'conflict');
    given(requested, scheduled).when(perform('2027-03-15T17:00:00Z')).then(performed);
    given(requested, scheduled, performed).when(perform('2027-03-15T17:00:00Z')).thenNothing();
    given(requested, scheduled, performed).when(perform('2027-03-16T17:00:00Z')).thenThrows('audit.wrong_status', 'conflict');
    given(requested, scheduled, performed).when(schedule('2027-03-25T09:00:00Z')).thenThrows('audit.wrong_status', 'conflict');
    given(requested, scheduled).when(finding(F1, '2027-04-15T00:00:00Z')).thenThrows('audit.wrong_status', 'conflict');
    given(requested, scheduled, performed).when(finding(F1, '2027-04-15T00:00:00Z')).then(f1);
    given(requested, scheduled, performed, f1).when(finding(F1, '2027-04-15T00:00:00Z')).thenNothing();
    given(requested, scheduled, performed, f1).when(finding(F1, '2027-04-16T00:00:00Z')).thenThrows('audit.finding_exists', 'conflict');
    given(requested, scheduled, performed).when(finding(F1, '2027-03-15T16:00:00Z')).thenThrows('audit.remediation_due_before_performance', 'rule');
    // Closed only once every finding is remediated.
    given(requested, scheduled, performed, f1, f2).when(close).thenThrows('audit.findings_open', 'rule');
    given(requested, scheduled, performed, f1, f2).when(remediate(F1, '2027-04-10T00:00:00Z')).then(r(F1, '2027-04-10T00:00:00.000Z'));
    given(requested, scheduled, performed, f1, f2, r(F1, '2027-04-10T00:00:00.000Z')).when(remediate(F1, '2027-04-10T00:00:00Z')).thenNothing();
    given(requested, scheduled, performed, f1, f2, r(F1, '2027-04-10T00:00:00.000Z')).when(remediate(F1, '2027-04-11T00:00:00Z')).thenThrows('audit.finding_remediated', 'conflict');
    given(requested, scheduled, performed, f1, f2, r(F1, '2027-04-10T00:00:00.000Z')).when(close).thenThrows('audit.findings_open', 'rule');
    const all = [requested, scheduled, performed, f1, f2, r(F1, '2027-04-10T00:00:00.000Z'), r(F2, '2027-04-05T00:00:00.000Z')];
    given(...all).when(close).then({ type: 'AuditClosed', data: { summary: 'all findings remediated', recordedAt: '2027-04-21T00:00:00.000Z' } });
    const closed = state(...all, { type: 'AuditClosed', data: { summary: 'all findings remediated', recordedAt: '2027-04-21T00:00:00.000Z' } });
    expect(auditStream.isFinal(closed)).toBe(true);
    given(...all, { type: 'AuditClosed', data: { summary: null, recordedAt: '2027-04-21T00:00:00.000Z' } }).when(close).thenNothing();
    const view = toAuditView(closed, '2027-05-01T00:00:00.000Z');
    expect(view).toMatchObject({ status: 'closed', closedAt: '2027-04-21T00:00:00.000Z', overdue: [], earliestSchedule: '2027-03-15T09:00:00.000Z' });
    // F2 was due 2027-04-01 and remediated on 04-05: late; F1 on time.
    expect(view.findings).toEqual([
      { id: F1, summary: 'Visitor log not kept', remediationDueAt: '2027-04-15T00:00:00.000Z', remediatedAt: '2027-04-10T00:00:00.000Z', remediation: 'Log kept at the desk', late: false, overdue: false },
      { id: F2, summary: 'Badge reader offline', remediationDueAt: '2027-04-01T00:00:00.000Z', remediatedAt: '2027-04-05T00:00:00.000Z', remediation: 'Log kept at the desk', late: true, overdue: false },
    ]);
    expect(auditClocks(closed)).toEqual([]);
    expect(nextTimer(closed)).toBeNull();
  });

  it('a review of documents has no notice rule; what cannot be is refused', () => {
    const documents: AuditEvent = { ...requested, data: { ...requested.data, kind: 'audit' } };
    given(documents).when(schedule('2027-03-02T09:00:00Z')).then({ type: 'AuditScheduled', data: { scheduledFor: '2027-03-02T09:00:00.000Z', recordedAt: '2027-03-02T10:00:00.000Z' } });
    given(documents).when(schedule('2027-03-01T08:00:00Z')).thenThrows('audit.scheduled_before_request', 'rule');
    expect(toAuditView(state(documents), '2027-03-02T00:00:00.000Z').earliestSchedule).toBeNull();
    given().when(request({ kind: 'visit' })).thenThrows('audit.invalid_kind', 'validation');
    given().when(request({ requestedAt: '2026-12-01T00:00:00Z' })).thenThrows('audit.requested_before_order', 'rule');
    given().when(request({ requestedAt: '2027-03-01T10:06:00Z' })).thenThrows('audit.in_future', 'rule');
    given().when(request({ scope: '' })).thenThrows('input.required', 'validation');
    given().when(request({ auditor: null })).then({ ...requested, data: { ...requested.data, auditor: null } });
    given().when(schedule('2027-03-15T09:00:00Z')).thenThrows('audit.not_found', 'not_found');
    given(requested, scheduled).when(perform('2027-02-01T00:00:00Z')).thenThrows('audit.performed_before_request', 'rule');
    given(requested, scheduled).when(perform('2027-03-15T18:06:00Z')).thenThrows('audit.in_future', 'rule');
    given(requested, scheduled, performed).when(remediate(F1, '2027-04-10T00:00:00Z')).thenThrows('audit.finding_not_found', 'not_found');
    given(requested, scheduled, performed, f1).when(remediate(F1, '2027-03-01T00:00:00Z')).thenThrows('audit.remediated_before_performance', 'rule');
    given(requested, scheduled, performed, f1).when(remediate(F1, '2027-04-20T10:06:00Z')).thenThrows('audit.in_future', 'rule');
    given(requested, scheduled).when(close).thenThrows('audit.wrong_status', 'conflict');
  });

  it('each open finding is reminded P7D before its due date and escalated when it passes, earliest first, once each; the inbox shows the date and the earliest remediation', () => {
    const s = state(requested, scheduled);
    expect(auditClocks(s)).toEqual([{ kind: 'audit-scheduled', at: '2027-03-15T09:00:00.000Z' }]);
    expect(toAuditView(s, '2027-03-15T09:00:00.000Z').overdue).toEqual([]);
    expect(toAuditView(s, '2027-03-15T09:00:00.001Z').overdue).toEqual(['scheduledFor']);
    expect(nextTimer(s)).toBeNull();
    const withFindings = state(requested, scheduled, performed, f1, f2);
    expect(auditClocks(withFindings)).toEqual([{ kind: 'audit-remediation', at: '2027-04-01T00:00:00.000Z' }]);
    const first = nextTimer(withFindings)!;
    expect(first).toMatchObject({ kind: 'remediation-reminder', at: '2027-03-25T00:00:00.000Z' });
    const reminded: AuditEvent = { type: 'RemediationReminded', data: { findingId: F2, dueAt: '2027-04-01T00:00:00.000Z', actedAt: '2027-03-25T00:00:01.000Z' } };
    given(requested, scheduled, performed, f1, f2).when(first.command('2027-03-25T00:00:01.000Z')).then(reminded);
    given(requested, scheduled, performed, f1, f2, reminded).when(first.command('2027-03-25T00:00:02.000Z')).thenNothing();
    const second = nextTimer(state(requested, scheduled, performed, f1, f2, reminded))!;
    expect(second).toMatchObject({ kind: 'remediation-escalation', at: '2027-04-01T00:00:00.000Z' });
    const escalated: AuditEvent = { type: 'RemediationEscalated', data: { findingId: F2, dueAt: '2027-04-01T00:00:00.000Z', actedAt: '2027-04-01T00:00:00.500Z' } };
    given(requested, scheduled, performed, f1, f2, reminded).when(second.command('2027-04-01T00:00:00.500Z')).then(escalated);
    const after = state(requested, scheduled, performed, f1, f2, reminded, escalated);
    // F1's reminder comes next; F2 is overdue.
    expect(nextTimer(after)).toMatchObject({ kind: 'remediation-reminder', at: '2027-04-08T00:00:00.000Z' });
    expect(toAuditView(after, '2027-04-02T00:00:00.000Z')).toMatchObject({ overdue: ['remediationDueAt'] });
    expect(toAuditView(after, '2027-04-02T00:00:00.000Z').findings.map((f) => f.overdue)).toEqual([false, true]);
    // A remediated finding is not nudged.
    given(requested, scheduled, performed, f1, f2, r(F2, '2027-03-20T00:00:00.000Z')).when(first.command('2027-03-25T00:00:01.000Z')).thenNothing();
    expect(auditClocks(state(requested, scheduled, performed, f1, f2, r(F2, '2027-03-20T00:00:00.000Z')))).toEqual([{ kind: 'audit-remediation', at: '2027-04-15T00:00:00.000Z' }]);
  });

  it('owes each open finding its nudges as a function of state, and offers the open findings to the command about one', () => {
    const parties = { controllerName: 'Client SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: null, contractReference: 'C-1' };
    const reminded: AuditEvent = { type: 'RemediationReminded', data: { findingId: F2, dueAt: '2027-04-01T00:00:00.000Z', actedAt: '2027-03-25T00:00:01.000Z' } };
    const s = state(requested, scheduled, performed, f1, f2, reminded);
    expect(auditType.emails!(s, parties)).toEqual([
      { kind: 'remediation-reminder', auditId: AID, contractId: CID, auditKind: 'inspection', performedAt: '2027-03-15T17:00:00.000Z', findingId: F2, finding: 'Badge reader offline', remediationDueAt: '2027-04-01T00:00:00.000Z', controllerName: 'Client SAS', contractReference: 'C-1' },
    ]);
    const options = auditType.commands!.remediate!.part!.options!;
    expect(options(s as never).map((o) => o.id)).toEqual([F1, F2]);
    expect(options(state(requested, scheduled, performed, f1, f2, r(F1, '2027-04-10T00:00:00.000Z')) as never).map((o) => o.id)).toEqual([F2]);
    // The finding's id reaches the command from the context: minted for a new one, from the path for one named.
    expect(auditType.commands!.finding!.toCommand({ summary: 'x', remediationDueAt: '2027-04-15T00:00:00Z' }, { id: AID, contractId: CID, contract: null, partId: F1, recordedAt: '2027-03-16T10:00:00.000Z' })).toMatchObject({ type: 'RecordFinding', data: { findingId: F1 } });
  });

  it('a declaration whose part is neither named in its path nor minted is refused when it is made', () => {
    const spec = auditType.commands!.remediate!;
    const declare = (path: string, part: typeof spec.part) => () => fileType({ ...auditType, commands: { ...auditType.commands, remediate: { ...spec, path, part } } });
    expect(declare('findings/remediation', spec.part)).toThrow(/neither named in its path nor minted/);
    expect(declare('findings/{fid}/remediation', { noun: 'finding', param: 'fid', minted: true })).toThrow(/both minted and named/);
    expect(declare('findings/{aid}/remediation', { noun: 'finding', param: 'aid' })).toThrow(/cannot name a path segment of its own/);
    expect(declare('findings/{finding-id}/remediation', { noun: 'finding', param: 'finding-id' })).toThrow(/cannot name a path segment of its own/);
    expect(() => fileType({ ...auditType, commands: { ...auditType.commands, request: { ...auditType.commands!.request!, part: { noun: 'finding', minted: true } } } })).toThrow(/cannot be about a part/);
    expect(declare('findings/{fid}/remediation', undefined)).toThrow(/names a part it does not declare/);
    expect(declare('findings/{fid}/remediation', spec.part)).not.toThrow();
  });
});
