import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import {
  assistanceRequestClocks,
  assistanceRequestStream,
  nextTimer,
  toAssistanceRequestView,
  type AssistanceRequestCommand,
  type AssistanceRequestEvent,
  type AssistanceRequestState,
} from './assistance-request.decider';
import { assistanceRequestType } from './assistance-request.type';
import { parseBody } from '../kit/schema';

const given = specify(assistanceRequestStream);
const RID = 'a5515700-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';
type RequestData = Extract<AssistanceRequestCommand, { type: 'RequestAssistance' }>['data'];
const request = (over: Partial<RequestData> = {}): AssistanceRequestCommand => ({
  type: 'RequestAssistance',
  data: {
    requestId: RID,
    contractId: CID,
    kind: 'dpia',
    receivedAt: '2027-03-01T09:00:00Z',
    dueAt: '2027-03-15T17:00:00Z',
    summary: 'DPIA of the new customer-analytics database',
    contractOrderedAt: '2027-01-01T00:00:00.000Z',
    recordedAt: '2027-03-01T10:00:00.000Z',
    ...over,
  },
});
const requested: AssistanceRequestEvent = {
  type: 'AssistanceRequested',
  data: { requestId: RID, contractId: CID, kind: 'dpia', receivedAt: '2027-03-01T09:00:00.000Z', dueAt: '2027-03-15T17:00:00.000Z', summary: 'DPIA of the new customer-analytics database', recordedAt: '2027-03-01T10:00:00.000Z' },
};
const deliver = (deliveredAt: unknown, provided: unknown = 'hosting security measures and sub-processor list', recordedAt = '2027-03-10T12:00:00.000Z'): AssistanceRequestCommand => ({
  type: 'DeliverAssistance',
  data: { deliveredAt, provided, recordedAt },
});
const state = (...events: AssistanceRequestEvent[]) => given(...events).state as Exclude<AssistanceRequestState, { status: 'none' }>;

describe('DPIA and prior-consultation assistance (P9; DESIGN §3.5)', () => {
  it('is open until delivered, then final; a repeat records nothing and other data is a conflict', () => {
    given().when(request()).then(requested).andState((s) => expect(s.status).toBe('open'));
    given(requested).when(request()).thenNothing();
    given(requested).when(request({ summary: 'another' })).thenThrows('assistance_request.exists', 'conflict');
    const delivered: AssistanceRequestEvent = { type: 'AssistanceDelivered', data: { deliveredAt: '2027-03-10T11:00:00.000Z', provided: 'hosting security measures and sub-processor list', recordedAt: '2027-03-10T12:00:00.000Z' } };
    given(requested).when(deliver('2027-03-10T11:00:00Z')).then(delivered);
    const s = state(requested, delivered);
    expect(assistanceRequestStream.isFinal(s)).toBe(true);
    expect(toAssistanceRequestView(s, '2027-04-01T00:00:00.000Z')).toMatchObject({ status: 'delivered', deliveredAt: '2027-03-10T11:00:00.000Z', late: false, overdue: [] });
    given(requested, delivered).when(deliver('2027-03-10T11:00:00Z')).thenNothing();
    given(requested, delivered).when(deliver('2027-03-11T11:00:00Z')).thenThrows('assistance_request.wrong_status', 'conflict');
    expect(assistanceRequestClocks(s)).toEqual([]);
    expect(nextTimer(s)).toBeNull();
  });

  it('refuses what cannot be: an unknown kind, a due before receipt, a receipt before the order or in the future, a delivery before the request', () => {
    given().when(request({ kind: 'audit' })).thenThrows('assistance_request.invalid_kind', 'validation');
    given().when(request({ dueAt: '2027-03-01T09:00:00Z' })).thenThrows('assistance_request.due_before_received', 'rule');
    given().when(request({ receivedAt: '2026-12-31T00:00:00Z' })).thenThrows('assistance_request.received_before_order', 'rule');
    given().when(request({ receivedAt: '2027-03-01T10:06:00Z', dueAt: '2027-03-20T00:00:00Z' })).thenThrows('assistance_request.received_in_future', 'rule');
    given().when(request({ summary: '' })).thenThrows('input.required', 'validation');
    given().when(request({ dueAt: 'soon' })).thenThrows('calendar.invalid_instant', 'validation');
    given(requested).when(deliver('2027-02-28T00:00:00Z')).thenThrows('assistance_request.delivered_before_received', 'rule');
    given(requested).when(deliver('2027-03-10T12:06:00Z')).thenThrows('assistance_request.delivered_in_future', 'rule');
    given(requested).when(deliver('2027-03-10T11:00:00Z', '')).thenThrows('input.required', 'validation');
    given().when(deliver('2027-03-10T11:00:00Z')).thenThrows('assistance_request.not_found', 'not_found');
  });

  it('reminds account management two days before the due date, escalates to the DPO when it passes, each once; overdue and late show it', () => {
    const s0 = state(requested);
    const reminder = nextTimer(s0)!;
    expect(reminder).toMatchObject({ kind: 'assistance-request-reminder', at: '2027-03-13T17:00:00.000Z' });
    const reminded: AssistanceRequestEvent = { type: 'AssistanceRequestReminded', data: { dueAt: '2027-03-15T17:00:00.000Z', actedAt: '2027-03-13T17:00:01.000Z' } };
    given(requested).when(reminder.command('2027-03-13T17:00:01.000Z')).then(reminded);
    given(requested, reminded).when(reminder.command('2027-03-13T17:00:02.000Z')).thenNothing();
    const escalation = nextTimer(state(requested, reminded))!;
    expect(escalation).toMatchObject({ kind: 'assistance-request-escalation', at: '2027-03-15T17:00:00.000Z' });
    const escalated: AssistanceRequestEvent = { type: 'AssistanceRequestEscalated', data: { dueAt: '2027-03-15T17:00:00.000Z', actedAt: '2027-03-15T17:00:00.500Z' } };
    given(requested, reminded).when(escalation.command('2027-03-15T17:00:00.500Z')).then(escalated);
    const s2 = state(requested, reminded, escalated);
    expect(nextTimer(s2)).toBeNull();
    expect(assistanceRequestClocks(s2)).toEqual([{ kind: 'assistance-request-due', at: '2027-03-15T17:00:00.000Z' }]);
    // Overdue once the instant has passed (isOverdue): at the very instant it is still on time.
    expect(toAssistanceRequestView(s2, '2027-03-15T17:00:00.000Z').overdue).toEqual([]);
    expect(toAssistanceRequestView(s2, '2027-03-15T17:00:00.001Z')).toMatchObject({ overdue: ['dueAt'], remindedAt: '2027-03-13T17:00:01.000Z', escalatedAt: '2027-03-15T17:00:00.500Z' });
    const late = state(requested, reminded, escalated, { type: 'AssistanceDelivered', data: { deliveredAt: '2027-03-16T09:00:00.000Z', provided: 'x', recordedAt: '2027-03-16T09:01:00.000Z' } });
    expect(toAssistanceRequestView(late, '2027-03-17T00:00:00.000Z')).toMatchObject({ late: true, overdue: [] });
    // A delivered request is not nudged.
    given(requested, { type: 'AssistanceDelivered', data: { deliveredAt: '2027-03-02T09:00:00.000Z', provided: 'x', recordedAt: '2027-03-02T09:01:00.000Z' } }).when(reminder.command('2027-03-13T17:00:01.000Z')).thenNothing();
  });

  it('recorded with less than two days left it reminds at once; recorded past due only escalates', () => {
    const soon = { ...requested, data: { ...requested.data, dueAt: '2027-03-02T09:00:00.000Z' } };
    expect(nextTimer(state(soon))).toMatchObject({ kind: 'assistance-request-reminder', at: '2027-03-01T10:00:00.000Z' });
    const pastDue = { ...requested, data: { ...requested.data, dueAt: '2027-03-01T09:30:00.000Z' } };
    expect(nextTimer(state(pastDue))).toMatchObject({ kind: 'assistance-request-escalation', at: '2027-03-01T09:30:00.000Z' });
  });
});

describe('assistance request events', () => {
  it('record the instant each happened, and load as stored', () => {
    expect(assistanceRequestStream.occurredAt(requested)).toBe('2027-03-01T10:00:00.000Z');
    expect(assistanceRequestStream.occurredAt({ type: 'AssistanceDelivered', data: { deliveredAt: '2027-03-02T00:00:00.000Z', provided: 'x', recordedAt: '2027-03-02T01:00:00.000Z' } })).toBe('2027-03-02T01:00:00.000Z');
    expect(assistanceRequestStream.occurredAt({ type: 'AssistanceRequestReminded', data: { dueAt: '2027-03-15T17:00:00.000Z', actedAt: '2027-03-13T17:00:00.000Z' } })).toBe('2027-03-13T17:00:00.000Z');
    expect(assistanceRequestStream.upcast({ type: 'AssistanceRequested', schemaVersion: 1, data: requested.data })).toEqual(requested);
    expect(assistanceRequestStream.evolve({ status: 'none' }, { type: 'AssistanceDelivered', data: { deliveredAt: '2027-03-02T00:00:00.000Z', provided: 'x', recordedAt: '2027-03-02T01:00:00.000Z' } })).toEqual({ status: 'none' });
  });
});

describe('the assistance request as declared (its commands, its view, the emails it owes)', () => {
  const parties = { controllerName: 'Acme SAS', controllerEmail: 'privacy@acme.example', controllerDpoEmail: null, contractReference: 'ACME-7' };
  const context = { id: RID, contractId: CID, contract: { orderedAt: '2027-01-01T00:00:00.000Z' }, recordedAt: '2027-03-01T10:00:00.000Z' };

  it('translates each command body into the domain command, which the decider takes', () => {
    const body = parseBody(assistanceRequestType.commands!['request']!.schema(), { kind: 'dpia', receivedAt: '2027-03-01T09:00:00Z', dueAt: '2027-03-15T17:00:00Z', summary: 'DPIA of the new customer-analytics database' });
    expect(body.ok).toBe(true);
    const command = assistanceRequestType.commands!['request']!.toCommand(body.ok && body.value, context);
    expect(command).toEqual(request({ recordedAt: context.recordedAt }));
    given().when(command as AssistanceRequestCommand).then(requested);
    const deliver = assistanceRequestType.commands!['deliver']!.toCommand({ deliveredAt: '2027-03-10T11:00:00Z', provided: 'the list' }, { ...context, recordedAt: '2027-03-10T12:00:00.000Z' });
    expect(deliver).toEqual({ type: 'DeliverAssistance', data: { deliveredAt: '2027-03-10T11:00:00Z', provided: 'the list', recordedAt: '2027-03-10T12:00:00.000Z' } });
    expect(assistanceRequestType.commands!['request']!.roles).toEqual(['account_manager', 'dpo']);
  });

  it('owes the reminder once reminded and the escalation once escalated, and nothing before', () => {
    const reminded: AssistanceRequestEvent = { type: 'AssistanceRequestReminded', data: { dueAt: '2027-03-15T17:00:00.000Z', actedAt: '2027-03-13T17:00:01.000Z' } };
    expect(assistanceRequestType.emails!(state(requested), parties)).toEqual([]);
    expect(assistanceRequestType.emails!(state(requested, reminded), parties)).toEqual([
      { kind: 'assistance-request-reminder', requestId: RID, contractId: CID, assistanceKind: 'dpia', receivedAt: '2027-03-01T09:00:00.000Z', dueAt: '2027-03-15T17:00:00.000Z', summary: 'DPIA of the new customer-analytics database', controllerName: 'Acme SAS', contractReference: 'ACME-7' },
    ]);
    const escalated: AssistanceRequestEvent = { type: 'AssistanceRequestEscalated', data: { dueAt: '2027-03-15T17:00:00.000Z', actedAt: '2027-03-15T17:00:00.500Z' } };
    expect(assistanceRequestType.emails!(state(requested, reminded, escalated), parties).map((m) => m.kind)).toEqual(['assistance-request-reminder', 'assistance-request-escalation']);
  });

  it('documents its view as the view is: every field the view has, and no other', () => {
    const view = toAssistanceRequestView(state(requested), '2027-03-02T00:00:00.000Z');
    expect(assistanceRequestType.view!.schema().safeParse(view).success).toBe(true);
    expect(Object.keys(assistanceRequestType.view!.of(state(requested), '2027-03-02T00:00:00.000Z') as object).sort()).toEqual(Object.keys(view).sort());
  });
});
