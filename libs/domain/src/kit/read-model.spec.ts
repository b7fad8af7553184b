import { describe, expect, it } from 'vitest';
import { FILE_TYPES } from '../file-types';
import { contactCheckType } from '../contact-check/contact-check.type';
import type { ContactCheckEvent } from '../contact-check/contact-check.decider';
import { assistanceRequestType } from '../assistance-request/assistance-request.type';
import { projected, projectRow, readModelColumns } from './read-model';

const CHECK = 'c4ec0000-0000-4000-8000-000000000001';
const CONTROLLER = 'c0e70000-0000-4000-8000-000000000001';
const T0 = '2027-01-31T10:00:00.000Z';
const opened: ContactCheckEvent = { type: 'ContactCheckOpened', data: { checkId: CHECK, controllerId: CONTROLLER, identity: 'customer:ACME', contact: 'security@acme.example', period: 'P6M', firstRoundAt: T0, openedAt: T0 } };
const counted: ContactCheckEvent = { type: 'ProcessingCounted', data: { contracts: 1, countedAt: T0 } };
const asked: ContactCheckEvent = { type: 'ContactRoundOpened', data: { n: 1, contact: 'security@acme.example', dueAt: T0, openedAt: T0 } };

describe('a read model is a pure function of its row and the events (DESIGN §5)', () => {
  it("every declared row names its parent, status and listing instant, and a contract's file its contract", () => {
    for (const type of FILE_TYPES) {
      if ('custom' in type.readModel) continue;
      const names = readModelColumns(type).map((c) => c.name);
      expect(names.slice(0, type.parent === 'contract' ? 3 : 2)).toEqual([...(type.parent === 'contract' ? ['contract_id'] : []), 'status', type.readModel.listedAtColumn ?? 'received_at']);
      expect(new Set(names).size, type.name).toBe(names.length);
      // No file before its first event.
      expect(projected(type, [])).toBeNull();
    }
  });

  it("a contact check's row: its controller's identity, its status, when it opened, and its unconfirmed clock once it asks", () => {
    const row = projected(contactCheckType, [opened, counted])!;
    expect(row).toMatchObject({ version: 2, columns: { status: 'scheduled', received_at: T0, identity: 'customer:ACME' }, clocks: [] });
    // 2027-01-31T10:00Z + P14D, written out.
    expect(projected(contactCheckType, [opened, counted], [asked])).toMatchObject({ version: 3, columns: { status: 'awaiting' }, clocks: [{ kind: 'contact-unconfirmed', at: '2027-02-14T10:00:00.000Z' }] });
  });

  it('folding an append onto the row it found is the same as folding the whole history at once', () => {
    const once = projected(contactCheckType, [opened, counted, asked]);
    const inSteps = projectRow(contactCheckType, projected(contactCheckType, [opened], [counted]), [asked]);
    expect(inSteps).toEqual(once);
  });

  it("an assistance request's row is under its contract", () => {
    const contractId = 'c0000000-0000-4000-8000-0000000000aa';
    const row = projected(assistanceRequestType, [
      { type: 'AssistanceRequested', data: { requestId: 'a0000000-0000-4000-8000-000000000001', contractId, kind: 'dpia', summary: 'x', receivedAt: T0, dueAt: '2027-02-28T17:00:00.000Z', recordedAt: T0 } },
    ] as never[]);
    expect(row?.columns).toMatchObject({ contract_id: contractId, status: 'open' });
    expect(row?.clocks).toEqual([{ kind: 'assistance-request-due', at: '2027-02-28T17:00:00.000Z' }]);
  });
});
