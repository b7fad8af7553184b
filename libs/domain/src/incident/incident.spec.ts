import { describe, expect, it } from 'vitest';
import type { ContractState } from '../contract/contract.state';
import { specify } from '../kit/given';
import { affectedBy, incidentStream, toIncidentView } from './incident.decider';
import type { IncidentCommand, IncidentEvent, IncidentScope } from './incident.model';

const given = specify(incidentStream);
const IID = 'a11ce000-0000-4000-8000-000000000001';
const C1 = 'c0ffee00-0000-4000-8000-000000000001';
const C2 = 'c0ffee00-0000-4000-8000-000000000002';

type RecordData = Extract<IncidentCommand, { type: 'RecordIncident' }>['data'];
const record = (over: Partial<RecordData> = {}): IncidentCommand => ({
  type: 'RecordIncident',
  data: {
    incidentId: IID,
    detectedAt: '2027-03-01T08:00:00Z',
    scope: { locations: ['ovh-sbg-2'], from: '2027-02-20T00:00:00Z', to: '2027-03-01T07:00:00Z' },
    content: { summary: 'Backup node reached from outside' },
    recordedAt: '2027-03-01T09:00:00.000Z',
    ...over,
  },
});

const EMPTY = { nature: null, dataCategories: null, subjectCategories: null, approxSubjects: null, approxRecords: null, likelyConsequences: null, measures: null };
const recorded: IncidentEvent = {
  type: 'IncidentRecorded',
  data: {
    incidentId: IID,
    detectedAt: '2027-03-01T08:00:00.000Z',
    scope: { locations: ['ovh-sbg-2'], from: '2027-02-20T00:00:00.000Z', to: '2027-03-01T07:00:00.000Z' },
    content: { summary: 'Backup node reached from outside', ...EMPTY },
    recordedAt: '2027-03-01T09:00:00.000Z',
  },
};
const confirmed: IncidentEvent = { type: 'IncidentConfirmed', data: { awareAt: '2027-03-01T10:00:00.000Z', confirmedAt: '2027-03-01T10:05:00.000Z' } };
const resolved: IncidentEvent = { type: 'AffectedContractsResolved', data: { count: 4, digest: 'ab'.repeat(32), resolvedAt: '2027-03-01T10:05:01.000Z' } };
const opened: IncidentEvent = { type: 'BreachNoticesOpened', data: { count: 4, openedAt: '2027-03-01T10:05:02.000Z', includesUpdates: 0 } };
const closed: IncidentEvent = { type: 'IncidentClosed', data: { summary: 'Node rebuilt', closedAt: '2027-03-10T00:00:00.000Z' } };

describe('incidents (P8; GDPR 33; DESIGN §3.1)', () => {
  it('records an incident under investigation, with what is known and "to follow" left null', () => {
    given().when(record()).then(recorded).andState((s) => expect(s.status).toBe('investigating'));
    given(recorded).when(record()).thenNothing();
    given(recorded).when(record({ detectedAt: '2027-03-01T07:30:00Z' })).thenThrows('incident.exists', 'conflict');
  });

  it('a retried recording is compared with what was recorded, not with the incident as updated since', () => {
    const updated: IncidentEvent = { type: 'IncidentUpdated', data: { number: 1, changes: { approxSubjects: 10 }, updatedAt: '2027-03-02T00:00:00.000Z' } };
    given(recorded, confirmed, updated).when(record()).thenNothing();
    given(recorded, confirmed, updated).when(record({ content: { summary: 'Another' } })).thenThrows('incident.exists', 'conflict');
  });

  it('names no one: a text holding an email address is refused', () => {
    given().when(record({ content: { summary: 'jane.doe@example.com saw it' } })).thenThrows('input.personal_data', 'validation');
    given().when(record({ content: { summary: 'S', measures: 'told bob@client.example' } })).thenThrows('input.personal_data', 'validation');
    given(recorded, confirmed).when({ type: 'CloseIncident', data: { summary: 'ask x@y.example', closedAt: '2027-03-10T00:00:00.000Z' } }).thenThrows('input.personal_data', 'validation');
  });

  it('takes the 33(3) content as catalog categories and counts', () => {
    const content = { summary: 'S', nature: 'ransomware', dataCategories: ['email-address', 'email-address'], subjectCategories: ['developers'], approxSubjects: 1200, approxRecords: 0, likelyConsequences: 'loss of access', measures: 'restored' };
    given()
      .when(record({ content }))
      .thenState((s) => {
        if (s.status === 'none') throw new Error('not recorded');
        expect(s.content).toEqual({ ...content, dataCategories: ['email-address'] });
      });
  });

  it('refuses a bad scope or content', () => {
    const scopes: [unknown, string][] = [
      [{ locations: ['ovh-sbg-2'], contracts: [C1] }, 'incident.invalid_scope'],
      [{}, 'incident.invalid_scope'],
      [{ locations: ['mars-1'], from: '2027-02-20T00:00:00Z', to: '2027-03-01T00:00:00Z' }, 'incident.invalid_scope'],
      [{ locations: [], from: '2027-02-20T00:00:00Z', to: '2027-03-01T00:00:00Z' }, 'incident.invalid_scope'],
      [{ contracts: [] }, 'incident.invalid_scope'],
      [{ contracts: ['not-a-uuid'] }, 'incident.invalid_scope'],
      [{ locations: ['ovh-sbg-2'], from: '2027-03-02T00:00:00Z', to: '2027-03-01T00:00:00Z' }, 'incident.invalid_window'],
      [{ locations: ['ovh-sbg-2'], from: '2027-03-01T09:00:00Z', to: '2027-03-02T00:00:00Z' }, 'incident.detected_before_window'],
      [{ locations: ['ovh-sbg-2'], from: 'yesterday', to: '2027-03-01T00:00:00Z' }, 'calendar.invalid_instant'],
      // Resolved once, at confirmation: a window still running is refused.
      [{ locations: ['ovh-sbg-2'], from: '2027-02-20T00:00:00Z', to: '2027-03-02T00:00:00Z' }, 'incident.window_in_future'],
      [null, 'input.required'],
    ];
    for (const [scope, code] of scopes) given().when(record({ scope })).thenThrows(code);
    // A location a sub-processor change added (DESIGN §3.8) may be named once it is in use.
    const rbx = { locations: ['ovh-rbx-8'], from: '2027-02-20T00:00:00Z', to: '2027-03-01T00:00:00Z' };
    given().when(record({ scope: rbx })).thenThrows('incident.invalid_scope');
    given().when(record({ scope: rbx, addedLocations: ['ovh-rbx-8'] })).thenState((s) => expect(s).toMatchObject({ scope: { locations: ['ovh-rbx-8'] } }));
    given().when(record({ content: {} })).thenThrows('input.required', 'validation');
    given().when(record({ content: { summary: 'S', dataCategories: ['dna'] } })).thenThrows('incident.invalid_categories', 'validation');
    given().when(record({ content: { summary: 'S', subjectCategories: [] } })).thenThrows('incident.invalid_categories', 'validation');
    given().when(record({ content: { summary: 'S', approxSubjects: -1 } })).thenThrows('input.invalid_number', 'validation');
    given().when(record({ content: { summary: 'S', approxRecords: 1.5 } })).thenThrows('input.invalid_number', 'validation');
    given().when(record({ detectedAt: '2027-03-01T09:06:00Z' })).thenThrows('incident.detected_in_future', 'rule');
  });

  it('an explicit scope lists contracts once each, lower-cased and sorted', () => {
    given()
      .when(record({ scope: { contracts: [C2, C1.toUpperCase(), C1] } }))
      .thenState((s) => {
        if (s.status === 'none') throw new Error('not recorded');
        expect(s.scope).toEqual({ contracts: [C1, C2] });
      });
  });

  it('is confirmed with awareAt (not before detection, not in the future), or dismissed with a reason', () => {
    given(recorded).when({ type: 'ConfirmIncident', data: { awareAt: '2027-03-01T10:00:00Z', confirmedAt: '2027-03-01T10:05:00.000Z' } }).then(confirmed);
    given(recorded, confirmed).when({ type: 'ConfirmIncident', data: { awareAt: '2027-03-01T10:00:00Z', confirmedAt: '2027-03-01T11:00:00.000Z' } }).thenNothing();
    given(recorded, confirmed).when({ type: 'ConfirmIncident', data: { awareAt: '2027-03-01T10:30:00Z', confirmedAt: '2027-03-01T11:00:00.000Z' } }).thenThrows('incident.wrong_status', 'conflict');
    given(recorded).when({ type: 'ConfirmIncident', data: { awareAt: '2027-03-01T07:00:00Z', confirmedAt: '2027-03-01T10:05:00.000Z' } }).thenThrows('incident.aware_before_detection', 'rule');
    given(recorded).when({ type: 'ConfirmIncident', data: { awareAt: '2027-03-01T10:11:00Z', confirmedAt: '2027-03-01T10:05:00.000Z' } }).thenThrows('incident.aware_in_future', 'rule');
    const dismissed: IncidentEvent = { type: 'IncidentDismissed', data: { reason: 'no personal data reachable', dismissedAt: '2027-03-01T12:00:00.000Z' } };
    given(recorded).when({ type: 'DismissIncident', data: { reason: 'no personal data reachable', dismissedAt: '2027-03-01T12:00:00.000Z' } }).then(dismissed);
    given(recorded, dismissed).when({ type: 'DismissIncident', data: { reason: 'no personal data reachable', dismissedAt: '2027-03-02T12:00:00.000Z' } }).thenNothing();
    given(recorded, confirmed).when({ type: 'DismissIncident', data: { reason: 'x', dismissedAt: '2027-03-01T12:00:00.000Z' } }).thenThrows('incident.wrong_status', 'conflict');
    given().when({ type: 'DismissIncident', data: { reason: 'x', dismissedAt: '2027-03-01T12:00:00.000Z' } }).thenThrows('incident.not_found', 'not_found');
    expect(incidentStream.isFinal(given(recorded, dismissed).state)).toBe(true);
  });

  it('numbers each update and folds it into the content; an update needs a confirmed incident and some content', () => {
    const update = (changes: Record<string, unknown>): IncidentCommand => ({ type: 'UpdateIncident', data: { changes, updatedAt: '2027-03-02T00:00:00.000Z' } });
    const first: IncidentEvent = { type: 'IncidentUpdated', data: { number: 1, changes: { approxSubjects: 300 }, updatedAt: '2027-03-02T00:00:00.000Z' } };
    given(recorded, confirmed).when(update({ approxSubjects: 300 })).then(first);
    given(recorded, confirmed, first)
      .when(update({ measures: 'keys rotated', summary: 'Backup node breached' }))
      .thenState((s) => {
        if (s.status === 'none') throw new Error('not recorded');
        expect(s.updates.map((u) => u.number)).toEqual([1, 2]);
        expect(s.content).toMatchObject({ summary: 'Backup node breached', approxSubjects: 300, measures: 'keys rotated', nature: null });
      });
    given(recorded, confirmed).when(update({})).thenThrows('incident.empty_update', 'validation');
    given(recorded).when(update({ approxSubjects: 1 })).thenThrows('incident.wrong_status', 'conflict');
  });

  it('records its resolution and its notices once each, then its closure and the notices closed: final', () => {
    given(recorded, confirmed).when({ type: 'RecordAffectedContracts', data: resolved.data }).then(resolved);
    given(recorded, confirmed, resolved).when({ type: 'RecordAffectedContracts', data: resolved.data }).thenNothing();
    given(recorded).when({ type: 'RecordAffectedContracts', data: resolved.data }).thenThrows('incident.wrong_status', 'conflict');
    given(recorded, confirmed).when({ type: 'RecordNoticesOpened', data: opened.data }).thenThrows('incident.not_resolved', 'conflict');
    given(recorded, confirmed, resolved).when({ type: 'RecordNoticesOpened', data: opened.data }).then(opened);
    given(recorded, confirmed, resolved, opened).when({ type: 'RecordNoticesOpened', data: opened.data }).thenNothing();
    given(recorded, confirmed, resolved, opened).when({ type: 'CloseIncident', data: { summary: 'Node rebuilt', closedAt: '2027-03-10T00:00:00.000Z' } }).then(closed);
    given(recorded, confirmed, closed).when({ type: 'CloseIncident', data: { summary: 'Node rebuilt', closedAt: '2027-03-11T00:00:00.000Z' } }).thenNothing();
    given(recorded).when({ type: 'CloseIncident', data: { summary: 'x', closedAt: '2027-03-10T00:00:00.000Z' } }).thenThrows('incident.wrong_status', 'conflict');
    given(recorded, confirmed).when({ type: 'RecordNoticesClosed', data: { count: 4, closedAt: '2027-03-10T00:00:01.000Z' } }).thenThrows('incident.wrong_status', 'conflict');
    const noticesClosed: IncidentEvent = { type: 'BreachNoticesClosed', data: { count: 4, closedAt: '2027-03-10T00:00:01.000Z' } };
    const spec = given(recorded, confirmed, resolved, opened, closed);
    expect(incidentStream.isFinal(spec.state)).toBe(false);
    spec.when({ type: 'RecordNoticesClosed', data: noticesClosed.data }).then(noticesClosed).andState((s) => expect(incidentStream.isFinal(s)).toBe(true));
    given(recorded, confirmed, resolved, opened, closed, noticesClosed).when({ type: 'RecordNoticesClosed', data: noticesClosed.data }).thenNothing();
  });

  it('shows its view', () => {
    const view = toIncidentView(given(recorded, confirmed, resolved, opened, closed).state);
    expect(view).toMatchObject({ id: IID, status: 'closed', awareAt: '2027-03-01T10:00:00.000Z', affectedContracts: 4, noticesOpenedAt: opened.data.openedAt, closedAt: closed.data.closedAt, closingSummary: 'Node rebuilt', dismissalReason: null });
    expect(() => toIncidentView({ status: 'none' })).toThrow();
    // Every event records the instant it happened.
    for (const e of [recorded, confirmed, resolved, opened, closed]) expect(incidentStream.occurredAt(e)).toMatch(/^2027-03/);
    expect(incidentStream.occurredAt({ type: 'IncidentDismissed', data: { reason: 'r', dismissedAt: '2027-03-05T00:00:00.000Z' } })).toBe('2027-03-05T00:00:00.000Z');
    expect(incidentStream.occurredAt({ type: 'IncidentUpdated', data: { number: 1, changes: {}, updatedAt: '2027-03-06T00:00:00.000Z' } })).toBe('2027-03-06T00:00:00.000Z');
    expect(incidentStream.occurredAt({ type: 'BreachNoticesClosed', data: { count: 1, closedAt: '2027-03-07T00:00:00.000Z' } })).toBe('2027-03-07T00:00:00.000Z');
    expect(incidentStream.upcast({ type: 'IncidentClosed', schemaVersion: 1, data: closed.data })).toEqual(closed);
    expect(incidentStream.nextTimer(given(recorded).state)).toBeNull();
    expect(incidentStream.evolve({ status: 'none' }, confirmed)).toEqual({ status: 'none' });
  });
});

/** A contract as the read model holds it: only what the rule reads. */
function contract(over: { processingStartedAt: string | null; locations: string[]; destroyed?: Record<string, string>; id?: string; status?: string }): ContractState {
  return {
    status: over.status ?? 'active',
    contractId: over.id ?? C1,
    processingStartedAt: over.processingStartedAt,
    catalog: { purposes: ['hosting'], dataCategories: [], dataSubjectCategories: [], storageLocations: over.locations },
    destruction: { locations: Object.entries(over.destroyed ?? {}).map(([id, destroyedAt]) => ({ id, destroyedAt })) },
  } as unknown as ContractState;
}

describe('the contracts an incident touches (DESIGN §3.1)', () => {
  const scope: IncidentScope = { locations: ['ovh-sbg-2'], from: '2027-02-20T00:00:00.000Z', to: '2027-03-01T00:00:00.000Z' };

  it('holds a contract whose data was at the location during the window', () => {
    expect(affectedBy(scope, contract({ processingStartedAt: '2027-01-01T00:00:00Z', locations: ['web-platform', 'ovh-sbg-2'] }))).toBe(true);
    // Processing started exactly at the window's end: its data was there.
    expect(affectedBy(scope, contract({ processingStartedAt: '2027-03-01T00:00:00.000Z', locations: ['ovh-sbg-2'] }))).toBe(true);
    // Ended, destroyed at this location during the window (or not yet): still affected.
    expect(affectedBy(scope, contract({ status: 'terminated', processingStartedAt: '2026-01-01T00:00:00Z', locations: ['ovh-sbg-2'], destroyed: { 'ovh-sbg-2': '2027-02-25T00:00:00.000Z' } }))).toBe(true);
    expect(affectedBy(scope, contract({ status: 'destroyed', processingStartedAt: '2026-01-01T00:00:00Z', locations: ['ovh-sbg-2'], destroyed: { 'ovh-sbg-2': '2027-02-20T00:00:00.000Z' } }))).toBe(true);
    // Destroyed elsewhere only: the data at the affected location is still there.
    expect(affectedBy(scope, contract({ status: 'expired', processingStartedAt: '2026-01-01T00:00:00Z', locations: ['ovh-sbg-2', 'ovh-gra-1'], destroyed: { 'ovh-gra-1': '2027-01-01T00:00:00.000Z' } }))).toBe(true);
  });

  it('leaves out a contract elsewhere, not yet processing, started after the window, or destroyed there before it', () => {
    expect(affectedBy(scope, contract({ processingStartedAt: '2027-01-01T00:00:00Z', locations: ['ovh-gra-1'] }))).toBe(false);
    expect(affectedBy(scope, contract({ status: 'ordered', processingStartedAt: null, locations: ['ovh-sbg-2'] }))).toBe(false);
    expect(affectedBy(scope, contract({ processingStartedAt: '2027-03-01T00:00:00.001Z', locations: ['ovh-sbg-2'] }))).toBe(false);
    expect(affectedBy(scope, contract({ status: 'destroyed', processingStartedAt: '2026-01-01T00:00:00Z', locations: ['ovh-sbg-2'], destroyed: { 'ovh-sbg-2': '2027-02-19T23:59:59.999Z' } }))).toBe(false);
    expect(affectedBy(scope, { status: 'none' })).toBe(false);
  });

  it('an explicit scope names its contracts, of those whose data the processor held', () => {
    const explicit: IncidentScope = { contracts: [C1] };
    expect(affectedBy(explicit, contract({ processingStartedAt: '2027-01-01T00:00:00Z', locations: ['ovh-gra-1'] }))).toBe(true);
    expect(affectedBy(explicit, contract({ id: C2, processingStartedAt: '2027-01-01T00:00:00Z', locations: ['ovh-gra-1'] }))).toBe(false);
    expect(affectedBy(explicit, contract({ status: 'ordered', processingStartedAt: null, locations: ['ovh-gra-1'] }))).toBe(false);
  });
});
