import { describe, expect, it } from 'vitest';
import { specify } from '../kit/given';
import type { EmailSent } from '../kit/mail';
import { nextTimer, toTransferNoticeView, transferNoticeClocks, transferNoticeStream, type TransferNoticeCommand, type TransferNoticeEvent, type TransferNoticeState } from './transfer-notice.decider';
import { transferNoticeType } from './transfer-notice.type';

const given = specify(transferNoticeStream);
const TID = '7a45f000-0000-4000-8000-000000000001';
const CID = 'c0ffee00-0000-4000-8000-000000000001';
type RecordData = Extract<TransferNoticeCommand, { type: 'RecordTransferNotice' }>['data'];
const record = (over: Partial<RecordData> = {}): TransferNoticeCommand => ({
  type: 'RecordTransferNotice',
  data: { noticeId: TID, contractId: CID, destination: 'United States: a federal court', legalObligation: 'court order 24-cv-0113', plannedAt: '2027-03-10T00:00:00Z', withheldReason: null, recordedAt: '2027-03-01T10:00:00.000Z', ...over },
});
const recorded: TransferNoticeEvent = {
  type: 'TransferNoticeRecorded',
  data: { noticeId: TID, contractId: CID, destination: 'United States: a federal court', legalObligation: 'court order 24-cv-0113', plannedAt: '2027-03-10T00:00:00.000Z', withheldReason: null, recordedAt: '2027-03-01T10:00:00.000Z' },
};
const sent = (acceptedAt: string, kind = 'transfer-notice'): EmailSent => ({ type: 'EmailSent', data: { messageId: `<${TID}.notice@dpa-engine>`, key: `${TID}:notice`, kind, to: ['privacy@client.example'], cc: [], acceptedAt, sha256: '0'.repeat(64) } });
const state = (...events: (TransferNoticeEvent | EmailSent)[]) => given(...events).state as Exclude<TransferNoticeState, { status: 'none' }>;

describe('transfer notices (P2; DESIGN §3.3)', () => {
  it('is pending until the relay took its email, before the planned transfer: then sent, final', () => {
    given().when(record()).then(recorded).andState((s) => expect(s.status).toBe('pending'));
    given(recorded).when(record()).thenNothing();
    given(recorded).when(record({ destination: 'Elsewhere' })).thenThrows('transfer_notice.exists', 'conflict');
    const s = state(recorded, sent('2027-03-01T10:00:05.000Z'));
    expect(s).toMatchObject({ status: 'sent', sentAt: '2027-03-01T10:00:05.000Z' });
    expect(transferNoticeStream.isFinal(s)).toBe(true);
    expect(toTransferNoticeView(s, '2027-03-20T00:00:00.000Z')).toMatchObject({ status: 'sent', late: false, overdue: [] });
    // Another kind of email (the escalation) does not make it sent.
    expect(state(recorded, sent('2027-03-01T10:00:05.000Z', 'transfer-escalation')).status).toBe('pending');
  });

  it('a notice the law forbids records its reason and sends nothing; only such a notice may come after the transfer', () => {
    given().when(record({ plannedAt: '2027-03-01T09:00:00Z' })).thenThrows('transfer_notice.planned_in_past', 'rule');
    given().when(record({ plannedAt: '2027-03-01T10:00:00.000Z' })).thenThrows('transfer_notice.planned_in_past', 'rule');
    given()
      .when(record({ plannedAt: '2027-02-01T00:00:00Z', withheldReason: 'the court order forbids disclosure' }))
      .thenState((s) => {
        expect(s.status).toBe('withheld');
        expect(transferNoticeStream.isFinal(s)).toBe(true);
        expect(nextTimer(s)).toBeNull();
        expect(transferNoticeClocks(s)).toEqual([]);
      });
    given().when(record({ destination: '' })).thenThrows('input.required', 'validation');
    given().when(record({ plannedAt: 'soon' })).thenThrows('calendar.invalid_instant', 'validation');
  });

  it('not sent by the planned transfer, escalates once; sent late, it says so', () => {
    const timer = nextTimer(state(recorded));
    expect(timer).toMatchObject({ kind: 'transfer-notice-planned', at: '2027-03-10T00:00:00.000Z' });
    expect(transferNoticeClocks(state(recorded))).toEqual([{ kind: 'transfer-notice-planned', at: '2027-03-10T00:00:00.000Z' }]);
    const escalated: TransferNoticeEvent = { type: 'TransferNoticeEscalated', data: { dueAt: '2027-03-10T00:00:00.000Z', actedAt: '2027-03-10T00:00:01.000Z' } };
    given(recorded).when(timer!.command('2027-03-10T00:00:01.000Z')).then(escalated);
    given(recorded, escalated).when(timer!.command('2027-03-10T00:00:02.000Z')).thenNothing();
    given(recorded, sent('2027-03-01T10:00:05.000Z')).when(timer!.command('2027-03-10T00:00:01.000Z')).thenNothing();
    given().when(timer!.command('2027-03-10T00:00:01.000Z')).thenThrows('transfer_notice.not_found', 'not_found');
    expect(nextTimer(state(recorded, escalated))).toBeNull();
    expect(toTransferNoticeView(state(recorded, escalated), '2027-03-10T00:00:02.000Z')).toMatchObject({ overdue: ['plannedAt'], escalatedAt: '2027-03-10T00:00:01.000Z' });
    expect(toTransferNoticeView(state(recorded, escalated, sent('2027-03-11T00:00:00.000Z')), '2027-03-12T00:00:00.000Z')).toMatchObject({ status: 'sent', late: true, overdue: [] });
    expect(transferNoticeStream.occurredAt(escalated)).toBe('2027-03-10T00:00:01.000Z');
    expect(transferNoticeStream.occurredAt(recorded)).toBe('2027-03-01T10:00:00.000Z');
    expect(transferNoticeStream.upcast({ type: escalated.type, schemaVersion: 1, data: escalated.data })).toEqual(escalated);
    expect(transferNoticeStream.evolve({ status: 'none' }, escalated)).toEqual({ status: 'none' });
    expect(transferNoticeStream.evolve({ status: 'none' }, sent('2027-03-01T10:00:05.000Z'))).toEqual({ status: 'none' });
    expect(() => toTransferNoticeView({ status: 'none' }, '2027-03-01T00:00:00.000Z')).toThrow();
  });
});

describe('the transfer notice as declared', () => {
  const parties = { controllerName: 'Acme SAS', controllerEmail: 'privacy@client.example', controllerDpoEmail: null, contractReference: 'ACME-7' };
  const context = { id: TID, contractId: CID, contract: { orderedAt: '2027-01-01T00:00:00.000Z' }, recordedAt: '2027-03-01T10:00:00.000Z' };

  it('records what the DPO sent, with no withheld reason unless one was given', () => {
    const body = { destination: 'United States: a federal court', legalObligation: 'court order 24-cv-0113', plannedAt: '2027-03-10T00:00:00Z' };
    expect(transferNoticeType.commands!['record']!.toCommand(body, context)).toEqual(record());
    expect(transferNoticeType.commands!['record']!.toCommand({ ...body, withheldReason: 'forbidden' }, context)).toEqual(record({ withheldReason: 'forbidden' }));
  });

  it('owes the notice while it is pending, not once sent; the escalation once escalated; nothing when withheld', () => {
    expect(transferNoticeType.emails!(state(recorded), parties).map((m) => m.kind)).toEqual(['transfer-notice']);
    expect(transferNoticeType.emails!(state(recorded), parties)[0]).toMatchObject({ noticeId: TID, destination: 'United States: a federal court', plannedAt: '2027-03-10T00:00:00.000Z', controllerEmail: 'privacy@client.example' });
    expect(transferNoticeType.emails!(state(recorded, sent('2027-03-01T10:00:05.000Z')), parties)).toEqual([]);
    const escalated: TransferNoticeEvent = { type: 'TransferNoticeEscalated', data: { dueAt: '2027-03-10T00:00:00.000Z', actedAt: '2027-03-10T00:00:01.000Z' } };
    expect(transferNoticeType.emails!(state(recorded, escalated), parties).map((m) => m.kind)).toEqual(['transfer-notice', 'transfer-escalation']);
    const withheld: TransferNoticeEvent = { type: 'TransferNoticeRecorded', data: { ...recorded.data, withheldReason: 'forbidden' } };
    expect(transferNoticeType.emails!(state(withheld), parties)).toEqual([]);
  });
});
