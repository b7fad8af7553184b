import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import { instructionStream, toInstructionView } from './instruction.decider';
import type { InstructionCommand, InstructionEvent, InstructionState } from './instruction.model';
import { instructionType } from './instruction.type';

const given = specify(instructionStream);
const IID = '1257c000-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';

type DocumentData = Extract<InstructionCommand, { type: 'DocumentInstruction' }>['data'];
const document = (over: Partial<DocumentData> = {}): InstructionCommand => ({
  type: 'DocumentInstruction',
  data: { instructionId: IID, contractId: CID, receivedAt: '2027-03-01T09:00:00Z', channel: 'email', summary: 'Keep backups 90 days', documentRef: 'TICKET-311', contractOrderedAt: '2027-01-10T00:00:00.000Z', documentedAt: '2027-03-01T10:00:00.000Z', ...over },
});
const documented: InstructionEvent = {
  type: 'InstructionDocumented',
  data: { instructionId: IID, contractId: CID, receivedAt: '2027-03-01T09:00:00.000Z', channel: 'email', summary: 'Keep backups 90 days', documentRef: 'TICKET-311', documentedAt: '2027-03-01T10:00:00.000Z' },
};
const acknowledged: InstructionEvent = { type: 'InstructionAcknowledged', data: { acknowledgedAt: '2027-03-01T11:00:00.000Z' } };
const objected: InstructionEvent = { type: 'InstructionObjected', data: { reason: 'no legal basis named', objectedAt: '2027-03-01T12:00:00.000Z' } };
const at = (type: 'AcknowledgeInstruction' | 'ExecuteInstruction' | 'ConfirmInstruction' | 'WithdrawInstruction', instant: string): InstructionCommand =>
  ({ type, data: { AcknowledgeInstruction: { acknowledgedAt: instant }, ExecuteInstruction: { executedAt: instant }, ConfirmInstruction: { confirmedAt: instant }, WithdrawInstruction: { withdrawnAt: instant } }[type] }) as InstructionCommand;

describe('documented instructions (P2, C2; DESIGN §3.3)', () => {
  it('are documented, then acknowledged, then executed, in that order', () => {
    given().when(document()).then(documented).andState((s) => expect(s.status).toBe('documented'));
    given(documented).when(document()).thenNothing();
    given(documented).when(document({ summary: 'Something else' })).thenThrows('instruction.exists', 'conflict');
    // Never executed before it is acknowledged, nor before it is documented.
    given(documented).when(at('ExecuteInstruction', '2027-03-01T11:00:00.000Z')).thenThrows('instruction.wrong_status', 'conflict');
    given().when(at('ExecuteInstruction', '2027-03-01T11:00:00.000Z')).thenThrows('instruction.not_found', 'not_found');
    given(documented).when(at('AcknowledgeInstruction', '2027-03-01T11:00:00.000Z')).then(acknowledged);
    given(documented, acknowledged).when(at('AcknowledgeInstruction', '2027-03-01T11:30:00.000Z')).thenNothing();
    const executed: InstructionEvent = { type: 'InstructionExecuted', data: { executedAt: '2027-03-02T00:00:00.000Z' } };
    given(documented, acknowledged).when(at('ExecuteInstruction', '2027-03-02T00:00:00.000Z')).then(executed).andState((s) => expect(instructionStream.isFinal(s)).toBe(true));
    given(documented, acknowledged, executed).when(at('ExecuteInstruction', '2027-03-03T00:00:00.000Z')).thenNothing();
    given(documented, acknowledged, executed).when({ type: 'ObjectToInstruction', data: { reason: 'late', objectedAt: '2027-03-03T00:00:00.000Z' } }).thenThrows('instruction.wrong_status', 'conflict');
  });

  it('an objection holds it: never executed on hold; the controller confirms (the hold is released) or withdraws it', () => {
    given(documented, acknowledged).when({ type: 'ObjectToInstruction', data: { reason: 'no legal basis named', objectedAt: '2027-03-01T12:00:00.000Z' } }).then(objected).andState((s) => expect(s.status).toBe('on_hold'));
    given(documented, acknowledged, objected).when({ type: 'ObjectToInstruction', data: { reason: 'no legal basis named', objectedAt: '2027-03-01T13:00:00.000Z' } }).thenNothing();
    given(documented, acknowledged, objected).when(at('ExecuteInstruction', '2027-03-01T13:00:00.000Z')).thenThrows('instruction.on_hold', 'conflict');
    given(documented, acknowledged, objected).when(at('AcknowledgeInstruction', '2027-03-01T13:00:00.000Z')).thenThrows('instruction.on_hold', 'conflict');
    const confirmed: InstructionEvent = { type: 'InstructionConfirmed', data: { confirmedAt: '2027-03-02T09:00:00.000Z' } };
    given(documented, acknowledged, objected).when(at('ConfirmInstruction', '2027-03-02T09:00:00.000Z')).then(confirmed).andState((s) => expect(s.status).toBe('acknowledged'));
    given(documented, acknowledged, objected, confirmed).when(at('ConfirmInstruction', '2027-03-02T10:00:00.000Z')).thenNothing();
    given(documented, acknowledged, objected, confirmed).when(at('ExecuteInstruction', '2027-03-02T10:00:00.000Z')).then({ type: 'InstructionExecuted', data: { executedAt: '2027-03-02T10:00:00.000Z' } });
    // Objected to before acknowledgement, confirmed: back to documented.
    given(documented, objected).when(at('ConfirmInstruction', '2027-03-02T09:00:00.000Z')).thenState((s) => expect(s.status).toBe('documented'));
    const withdrawn: InstructionEvent = { type: 'InstructionWithdrawn', data: { withdrawnAt: '2027-03-02T09:00:00.000Z' } };
    given(documented, objected).when(at('WithdrawInstruction', '2027-03-02T09:00:00.000Z')).then(withdrawn).andState((s) => expect(instructionStream.isFinal(s)).toBe(true));
    given(documented, objected, withdrawn).when(at('WithdrawInstruction', '2027-03-02T10:00:00.000Z')).thenNothing();
    given(documented).when(at('ConfirmInstruction', '2027-03-02T09:00:00.000Z')).thenThrows('instruction.wrong_status', 'conflict');
    given(documented).when(at('WithdrawInstruction', '2027-03-02T09:00:00.000Z')).thenThrows('instruction.wrong_status', 'conflict');
  });

  it('refuses bad input', () => {
    given().when(document({ channel: 'pigeon' })).thenThrows('instruction.invalid_channel', 'validation');
    given().when(document({ receivedAt: '2027-03-01T10:06:00Z' })).thenThrows('instruction.received_in_future', 'rule');
    given().when(document({ receivedAt: '2027-01-09T00:00:00Z' })).thenThrows('instruction.received_before_order', 'rule');
    given().when(document({ summary: '' })).thenThrows('input.required', 'validation');
    given().when(document({ documentRef: 'a\u0007b' })).thenThrows('input.invalid_text', 'validation');
    given().when(document({ documentRef: 'réf-é' })).thenThrows('input.invalid_format', 'validation');
    given(documented).when({ type: 'ObjectToInstruction', data: { reason: '', objectedAt: '2027-03-01T12:00:00.000Z' } }).thenThrows('input.required', 'validation');
  });

  it('shows its view and records when each event happened', () => {
    expect(toInstructionView(given(documented, acknowledged, objected).state)).toMatchObject({ id: IID, status: 'on_hold', objectionReason: 'no legal basis named', acknowledgedAt: acknowledged.data.acknowledgedAt, overdue: [] });
    expect(() => toInstructionView({ status: 'none' })).toThrow();
    const events: InstructionEvent[] = [
      documented,
      acknowledged,
      objected,
      { type: 'InstructionConfirmed', data: { confirmedAt: '2027-03-04T00:00:00.000Z' } },
      { type: 'InstructionExecuted', data: { executedAt: '2027-03-05T00:00:00.000Z' } },
      { type: 'InstructionWithdrawn', data: { withdrawnAt: '2027-03-06T00:00:00.000Z' } },
    ];
    expect(events.map((e) => instructionStream.occurredAt(e))).toEqual(['2027-03-01T10:00:00.000Z', '2027-03-01T11:00:00.000Z', '2027-03-01T12:00:00.000Z', '2027-03-04T00:00:00.000Z', '2027-03-05T00:00:00.000Z', '2027-03-06T00:00:00.000Z']);
    for (const e of events) expect(instructionStream.upcast({ type: e.type, schemaVersion: 1, data: e.data })).toEqual(e);
    expect(instructionStream.nextTimer(given(documented).state)).toBeNull();
    expect(instructionStream.evolve({ status: 'none' }, acknowledged)).toEqual({ status: 'none' });
  });
});

describe('the instruction as declared', () => {
  const parties = { controllerName: 'Acme SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: null, contractReference: 'ACME-7' };
  const context = { id: IID, contractId: CID, contract: { orderedAt: '2027-01-10T00:00:00.000Z' }, recordedAt: '2027-03-01T10:00:00.000Z' };
  const commands = instructionType.commands!;

  it('translates each body into its command, the instant the engine records it as the answer\'s', () => {
    expect(commands['document']!.toCommand({ receivedAt: '2027-03-01T09:00:00Z', channel: 'email', summary: 'Keep backups 90 days', documentRef: 'TICKET-311' }, context)).toEqual(document());
    expect(commands['acknowledge']!.toCommand({}, { ...context, recordedAt: '2027-03-01T11:00:00.000Z' })).toEqual(at('AcknowledgeInstruction', '2027-03-01T11:00:00.000Z'));
    expect(commands['execute']!.toCommand({}, context)).toEqual(at('ExecuteInstruction', context.recordedAt));
    expect(commands['confirm']!.toCommand({}, context)).toEqual(at('ConfirmInstruction', context.recordedAt));
    expect(commands['withdraw']!.toCommand({}, context)).toEqual(at('WithdrawInstruction', context.recordedAt));
    expect(commands['object']!.toCommand({ reason: 'no legal basis named' }, context)).toEqual({ type: 'ObjectToInstruction', data: { reason: 'no legal basis named', objectedAt: context.recordedAt } });
    expect(commands['object']!.roles).toEqual(['dpo']);
    expect(commands['withdraw']!.irreversible).toBe(true);
  });

  it('owes the controller the objection while the instruction is on hold, and nothing otherwise', () => {
    const s = (...events: InstructionEvent[]) => given(...events).state as Exclude<InstructionState, { status: 'none' }>;
    expect(instructionType.emails!(s(documented, acknowledged), parties)).toEqual([]);
    expect(instructionType.emails!(s(documented, acknowledged, objected), parties)).toEqual([
      { kind: 'instruction-objection', instructionId: IID, contractId: CID, receivedAt: '2027-03-01T09:00:00.000Z', summary: 'Keep backups 90 days', documentRef: 'TICKET-311', reason: 'no legal basis named', objectedAt: '2027-03-01T12:00:00.000Z', ...parties },
    ]);
    const confirmed: InstructionEvent = { type: 'InstructionConfirmed', data: { confirmedAt: '2027-03-02T00:00:00.000Z' } };
    expect(instructionType.emails!(s(documented, acknowledged, objected, confirmed), parties)).toEqual([]);
  });
});
