import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import type { EmailSent } from '../kit/mail';
import { nextTimer as changeTimer, subProcessorChangeStream, toSubProcessorChangeView, type SubProcessorChange, type SubProcessorChangeCommand, type SubProcessorChangeEvent, type SubProcessorChangeState } from './sub-processor-change.decider';
import { nextTimer as noticeTimer, subProcessorNoticeStream, toSubProcessorNoticeView, type SubProcessorNoticeEvent, type SubProcessorNoticeState } from './sub-processor-notice.decider';

const CHANGE = '5b000000-0000-4000-8000-000000000001';
const NOTICE = '5b000000-0000-4000-8000-000000000002';
const CONTRACT = 'c0ffee00-0000-4000-8000-000000000001';
const AT = '2027-03-01T10:00:00.000Z';
const KNOWN = ['web-platform', 'ovh-sbg-2', 'ovh-gra-1', 'company-backup-le-tholonet'];
const RBX = { id: 'ovh-rbx-8', name: 'OVH RBX-8', kind: 'backup', site: 'Roubaix, France' };
const OVH = { name: 'OVH (OVHcloud)', role: 'Backup datacenter', country: 'France' };
type AnnounceData = Extract<SubProcessorChangeCommand, { type: 'AnnounceSubProcessorChange' }>['data'];
const announce = (over: Partial<AnnounceData> = {}): SubProcessorChangeCommand => ({
  type: 'AnnounceSubProcessorChange',
  data: { changeId: CHANGE, kind: 'replacement', subProcessor: OVH, location: RBX, replaces: 'ovh-gra-1', effectiveAt: '2027-04-01T00:00:00Z', objectionPeriod: 'P30D', announcedAt: AT, knownLocations: KNOWN, ...over },
});
const change: SubProcessorChange = {
  changeId: CHANGE,
  kind: 'replacement',
  subProcessor: OVH,
  location: { ...RBX, kind: 'backup' },
  replaces: 'ovh-gra-1',
  announcedAt: AT,
  objectionPeriod: 'P30D',
  objectionDeadline: '2027-03-31T10:00:00.000Z',
  effectiveAt: '2027-04-01T00:00:00.000Z',
};
const announced: SubProcessorChangeEvent = { type: 'SubProcessorChangeAnnounced', data: change };
const reached = { contracts: 3, controllers: 2, digest: 'a'.repeat(64), actedAt: '2027-03-01T10:00:05.000Z' };

describe('a sub-processor change, processor-wide (GDPR 28(2), 28(4); DESIGN §3.8)', () => {
  const given = specify(subProcessorChangeStream);
  const state = (...events: SubProcessorChangeEvent[]) => given(...events).state as Exclude<SubProcessorChangeState, { status: 'none' }>;

  it('announced with the objection period; reaches its contracts; effective on its date, once', () => {
    given().when(announce()).then(announced).andState((s) => expect(s.status).toBe('announced'));
    expect(changeTimer(state(announced))).toBeNull();
    given(announced).when({ type: 'RecordNoticesOpened', data: reached }).then({ type: 'SubProcessorNoticesOpened', data: reached });
    given(announced, { type: 'SubProcessorNoticesOpened', data: reached }).when({ type: 'RecordNoticesOpened', data: reached }).thenNothing();
    const notified = state(announced, { type: 'SubProcessorNoticesOpened', data: reached });
    expect(notified.status).toBe('notified');
    const timer = changeTimer(notified)!;
    expect(timer.at).toBe(change.effectiveAt);
    const effective = { dueAt: change.effectiveAt, actedAt: '2027-04-01T00:00:01.000Z' };
    expect(timer.command(effective.actedAt)).toEqual({ type: 'TakeEffect', data: effective });
    given(announced, { type: 'SubProcessorNoticesOpened', data: reached }).when(timer.command(effective.actedAt)).then({ type: 'SubProcessorChangeEffective', data: effective });
    const done = state(announced, { type: 'SubProcessorNoticesOpened', data: reached }, { type: 'SubProcessorChangeEffective', data: effective });
    expect(subProcessorChangeStream.isFinal(done)).toBe(true);
    given(announced, { type: 'SubProcessorChangeEffective', data: effective }).when({ type: 'TakeEffect', data: effective }).thenNothing();
    given(announced).when({ type: 'TakeEffect', data: { ...effective, dueAt: '2027-05-01T00:00:00.000Z' } }).thenNothing();
    expect(toSubProcessorChangeView(done)).toMatchObject({ id: CHANGE, status: 'effective', contractsNotified: 3, controllersNotified: 2, notifiedAt: reached.actedAt, effectiveRecordedAt: effective.actedAt, location: { id: 'ovh-rbx-8' } });
    expect(toSubProcessorChangeView(state(announced))).toMatchObject({ status: 'announced', contractsNotified: null, notifiedAt: null, effectiveRecordedAt: null });
  });

  it('a retry of the same announcement records nothing; another one under the same id conflicts', () => {
    // The retry's known locations include its own (the API read it back).
    given(announced).when(announce({ announcedAt: '2027-03-01T11:00:00.000Z', knownLocations: [...KNOWN, 'ovh-rbx-8'] })).thenNothing();
    // A state read back from jsonb keeps no key order: still the same announcement.
    const reordered: SubProcessorChangeEvent = { type: 'SubProcessorChangeAnnounced', data: { ...change, location: { site: RBX.site, kind: 'backup', name: RBX.name, id: RBX.id }, subProcessor: { country: 'France', role: OVH.role, name: OVH.name } } };
    given(reordered).when(announce({ knownLocations: [...KNOWN, 'ovh-rbx-8'] })).thenNothing();
    given(announced).when(announce({ effectiveAt: '2027-05-01T00:00:00Z', knownLocations: [...KNOWN, 'ovh-rbx-8'] })).thenThrows('sub_processor_change.exists', 'conflict');
    given(announced).when(announce({ subProcessor: { ...OVH, name: 'Other' }, knownLocations: [...KNOWN, 'ovh-rbx-8'] })).thenThrows('sub_processor_change.exists', 'conflict');
  });

  it('the controllers get the whole objection period before the change takes effect', () => {
    given().when(announce({ effectiveAt: '2027-03-31T10:00:00Z' })).thenState((s) => expect(s.status).toBe('announced'));
    given().when(announce({ effectiveAt: '2027-03-31T09:59:59Z' })).thenThrows('sub_processor_change.objection_period_too_short', 'rule');
  });

  it('refuses what does not make a change: a location in use, a replacement of none, malformed parts', () => {
    given().when(announce({ location: { ...RBX, id: 'ovh-sbg-2' } })).thenThrows('sub_processor_change.location_exists', 'conflict');
    given().when(announce({ knownLocations: [...KNOWN, 'ovh-rbx-8'] })).thenThrows('sub_processor_change.location_exists', 'conflict');
    given().when(announce({ replaces: 'nowhere' })).thenThrows('sub_processor_change.unknown_location', 'rule');
    given().when(announce({ pendingLocations: ['ovh-gra-1'] })).thenThrows('sub_processor_change.location_pending', 'conflict');
    // Its own pending location and the one it replaces do not block a retry of itself.
    given(announced).when(announce({ knownLocations: [...KNOWN, 'ovh-rbx-8'], pendingLocations: ['ovh-rbx-8', 'ovh-gra-1'] })).thenNothing();
    given().when(announce({ replaces: null })).thenThrows('input.required', 'validation');
    given().when(announce({ kind: 'addition' })).thenThrows('validation.invalid', 'validation');
    given().when(announce({ kind: 'addition', replaces: null })).thenState((s) => expect(s).toMatchObject({ kind: 'addition', replaces: null }));
    given().when(announce({ kind: 'addition', replaces: undefined })).thenState((s) => expect(s).toMatchObject({ replaces: null }));
    given().when(announce({ kind: 'merger' })).thenThrows('validation.invalid', 'validation');
    given().when(announce({ kind: 7 })).thenThrows('validation.invalid', 'validation');
    given().when(announce({ location: { ...RBX, kind: 'moon' } })).thenThrows('validation.invalid', 'validation');
    given().when(announce({ location: { ...RBX, id: '../etc' } })).thenThrows('input.invalid_format', 'validation');
    given().when(announce({ location: 'ovh' })).thenThrows('input.required', 'validation');
    given().when(announce({ subProcessor: { ...OVH, country: '' } })).thenThrows('input.required', 'validation');
    given().when(announce({ effectiveAt: 'next month' })).thenThrows('calendar.invalid_instant', 'validation');
  });

  it('has nothing to record before it is announced', () => {
    given().when({ type: 'RecordNoticesOpened', data: reached }).thenThrows('sub_processor_change.not_found', 'not_found');
    expect(subProcessorChangeStream.evolve({ status: 'none' }, { type: 'SubProcessorNoticesOpened', data: reached })).toEqual({ status: 'none' });
    expect(() => toSubProcessorChangeView({ status: 'none' })).toThrow();
    expect(subProcessorChangeStream.occurredAt(announced)).toBe(AT);
    expect(subProcessorChangeStream.occurredAt({ type: 'SubProcessorNoticesOpened', data: reached })).toBe(reached.actedAt);
    expect(subProcessorChangeStream.upcast({ type: 'SubProcessorChangeAnnounced', schemaVersion: 1, data: change })).toEqual(announced);
  });
});

describe("an affected contract's notice of the change", () => {
  const given = specify(subProcessorNoticeStream);
  const opened: SubProcessorNoticeEvent = { type: 'SubProcessorNoticeOpened', data: { noticeId: NOTICE, contractId: CONTRACT, change, openedAt: '2027-03-01T10:00:04.000Z' } };
  const objected: SubProcessorNoticeEvent = { type: 'SubProcessorChangeObjected', data: { reason: 'we audited GRA-1 only', objectedAt: '2027-03-10T00:00:00.000Z' } };
  const effective = { dueAt: change.effectiveAt, actedAt: '2027-04-01T00:00:01.000Z' };
  const state = (...events: (SubProcessorNoticeEvent | EmailSent)[]) => given(...events).state as Exclude<SubProcessorNoticeState, { status: 'none' }>;
  const sent = (kind: string, acceptedAt = '2027-03-01T10:00:06.000Z'): EmailSent => ({ type: 'EmailSent', data: { messageId: '<m@dpa-engine>', key: `${NOTICE}:${kind}`, kind, to: ['privacy@client.example'], cc: [], acceptedAt, sha256: '0'.repeat(64) } });

  it('opens once; the announcement email says when the controller was told', () => {
    given().when({ type: 'OpenSubProcessorNotice', data: opened.data }).then(opened);
    given(opened).when({ type: 'OpenSubProcessorNotice', data: opened.data }).thenNothing();
    expect(state(opened, sent('sub-processor-objection')).sentAt).toBeNull();
    const told = state(opened, sent('sub-processor-change'));
    expect(told.sentAt).toBe('2027-03-01T10:00:06.000Z');
    expect(state(opened, sent('sub-processor-change'), sent('sub-processor-change', '2027-03-02T00:00:00.000Z')).sentAt).toBe('2027-03-01T10:00:06.000Z');
    expect(toSubProcessorNoticeView(told)).toMatchObject({ id: NOTICE, changeId: CHANGE, contractId: CONTRACT, status: 'announced', objectionDeadline: change.objectionDeadline, needsAccountManagement: false, storageLocations: null, settledAt: null });
  });

  it('an objection within the period is recorded once and flags the contract; after it, refused', () => {
    given(opened).when({ type: 'ObjectToSubProcessorChange', data: { reason: 'we audited GRA-1 only', objectedAt: '2027-03-10T00:00:00.000Z' } }).then(objected);
    given(opened, objected).when({ type: 'ObjectToSubProcessorChange', data: { reason: 'again', objectedAt: '2027-03-11T00:00:00.000Z' } }).thenNothing();
    given(opened).when({ type: 'ObjectToSubProcessorChange', data: { reason: 'late', objectedAt: '2027-03-31T10:00:00.001Z' } }).thenThrows('sub_processor_change.objection_period_over', 'rule');
    given(opened).when({ type: 'ObjectToSubProcessorChange', data: { reason: '', objectedAt: '2027-03-10T00:00:00.000Z' } }).thenThrows('input.required', 'validation');
    given().when({ type: 'ObjectToSubProcessorChange', data: { reason: 'x', objectedAt: AT } }).thenThrows('sub_processor_notice.not_found', 'not_found');
    expect(toSubProcessorNoticeView(state(opened, objected))).toMatchObject({ status: 'objected', objectedAt: '2027-03-10T00:00:00.000Z', objectionReason: 'we audited GRA-1 only', needsAccountManagement: true });
  });

  it('objected: on the effective date the contract keeps its locations (final)', () => {
    const timer = noticeTimer(state(opened, objected))!;
    expect(timer.at).toBe(change.effectiveAt);
    given(opened, objected).when(timer.command(effective.actedAt)).then({ type: 'SubProcessorChangeDeclined', data: { ...effective, because: 'objection' } });
    const kept = state(opened, objected, { type: 'SubProcessorChangeDeclined', data: { ...effective, because: 'objection' } });
    expect(subProcessorNoticeStream.isFinal(kept)).toBe(true);
    expect(noticeTimer(kept)).toBeNull();
    expect(toSubProcessorNoticeView(kept)).toMatchObject({ status: 'kept', keptBecause: 'objection', settledAt: effective.actedAt });
    // Once the effective date is reached, an objection stamped in that same instant is too late.
    const due: SubProcessorNoticeEvent = { type: 'SubProcessorChangeDue', data: { ...effective, actedAt: change.objectionDeadline } };
    given(opened, sent('sub-processor-change'), due).when({ type: 'ObjectToSubProcessorChange', data: { reason: 'now', objectedAt: change.objectionDeadline } }).thenThrows('sub_processor_change.objection_period_over', 'rule');
  });

  it('a controller not told in time had no chance to object: its contract keeps its locations', () => {
    given(opened).when({ type: 'ReachEffectiveDate', data: effective }).then({ type: 'SubProcessorChangeDeclined', data: { ...effective, because: 'controller_not_told' } });
    given(opened, sent('sub-processor-change', '2027-03-31T10:00:00.001Z')).when({ type: 'ReachEffectiveDate', data: effective }).then({ type: 'SubProcessorChangeDeclined', data: { ...effective, because: 'controller_not_told' } });
    given(opened, sent('sub-processor-change', change.objectionDeadline)).when({ type: 'ReachEffectiveDate', data: effective }).then({ type: 'SubProcessorChangeDue', data: effective });
  });

  it('not objected: on the effective date it is due, then applied — or lapsed when processing had ended', () => {
    const told = sent('sub-processor-change');
    given(opened, told).when(noticeTimer(state(opened, told))!.command(effective.actedAt)).then({ type: 'SubProcessorChangeDue', data: effective });
    given(opened, told).when({ type: 'ReachEffectiveDate', data: { ...effective, dueAt: '2027-05-01T00:00:00.000Z' } }).thenNothing();
    const due: SubProcessorNoticeEvent = { type: 'SubProcessorChangeDue', data: effective };
    given(opened, due).when({ type: 'ReachEffectiveDate', data: effective }).thenNothing();
    expect(noticeTimer(state(opened, due))).toBeNull();
    expect(subProcessorNoticeStream.isFinal(state(opened, due))).toBe(false);
    const result = { applied: true, storageLocations: ['web-platform', 'ovh-rbx-8'], why: null, recordedAt: '2027-04-01T00:00:02.000Z' };
    given(opened, due).when({ type: 'RecordChangeApplied', data: result }).then({ type: 'SubProcessorChangeApplied', data: result });
    given(opened).when({ type: 'RecordChangeApplied', data: result }).thenNothing();
    const applied = state(opened, due, { type: 'SubProcessorChangeApplied', data: result });
    expect(subProcessorNoticeStream.isFinal(applied)).toBe(true);
    expect(toSubProcessorNoticeView(applied)).toMatchObject({ status: 'applied', storageLocations: ['web-platform', 'ovh-rbx-8'], settledAt: result.recordedAt, lapsedBecause: null });
    const lapsed = state(opened, due, { type: 'SubProcessorChangeApplied', data: { applied: false, storageLocations: null, why: 'contract.ended', recordedAt: result.recordedAt } });
    expect(toSubProcessorNoticeView(lapsed)).toMatchObject({ status: 'lapsed', lapsedBecause: 'contract.ended' });
  });

  it('records when each event happened', () => {
    expect(subProcessorNoticeStream.occurredAt(opened)).toBe(opened.data.openedAt);
    expect(subProcessorNoticeStream.occurredAt(objected)).toBe('2027-03-10T00:00:00.000Z');
    expect(subProcessorNoticeStream.occurredAt({ type: 'SubProcessorChangeDue', data: effective })).toBe(effective.actedAt);
    expect(subProcessorNoticeStream.occurredAt({ type: 'SubProcessorChangeApplied', data: { applied: true, storageLocations: [], why: null, recordedAt: 'r' } })).toBe('r');
    expect(subProcessorNoticeStream.upcast({ type: 'SubProcessorNoticeOpened', schemaVersion: 1, data: opened.data })).toEqual(opened);
    expect(subProcessorNoticeStream.evolve({ status: 'none' }, objected)).toEqual({ status: 'none' });
    expect(() => toSubProcessorNoticeView({ status: 'none' })).toThrow();
  });
});
