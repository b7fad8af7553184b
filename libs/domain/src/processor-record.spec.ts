import { describe, expect, it } from 'vitest';
import { contractStream } from './contract/contract.decider';
import type { ContractState } from './contract/contract.state';
import { ControllerTallies, csvCell, processorRecord, processorRecordCsvHeader, processorRecordCsvLines, processorRecordHead, processorRecordRows, PROCESSOR_RECORD_CSV_COLUMNS, type RecordedTransfer } from './processor-record';
import { contractOrdered, CONTROLLER, handedOver } from './testing/factories';

const fold = (...events: Parameters<typeof contractStream.evolve>[1][]): ContractState => events.reduce((s, e) => contractStream.evolve(s, e), contractStream.initialState());
const DPO = { name: 'Dana Officer', email: 'dpo@processor.example', phone: '+33 1 23 45 67 89' };

describe("the processor's Art. 30(2) record across controllers (DESIGN §3.9)", () => {
  const a1 = fold(contractOrdered({ contractId: 'a1', reference: 'ACME-1', catalog: { purposes: ['website-hosting'], dataCategories: ['email-address'], dataSubjectCategories: ['developers'], storageLocations: ['web-platform'] } }), handedOver('2027-02-01T00:00:00Z'));
  // The same controller (by email, case-folded) under a second contract, ordered later under a new name.
  const a2 = fold(contractOrdered({ contractId: 'a2', reference: 'ACME-2', orderedAt: '2027-03-01T00:00:00.000Z', controller: { ...CONTROLLER, name: 'Acme Group', email: 'CONTACT@acme.example' }, catalog: { purposes: ['website-hosting'], dataCategories: ['connection-ip-address'], dataSubjectCategories: ['developers'], storageLocations: ['ovh-sbg-2', 'web-platform'] } }));
  const b = fold(contractOrdered({ contractId: 'b1', reference: '=cmd', controller: { customerId: 'C-42', name: 'Bravo, "the" shop', email: 'privacy@bravo.example', address: null, dpoEmail: null } }));
  const none = contractStream.initialState();

  it('groups contracts by controller identity, unites their categories, and lists transfers with their legal basis', () => {
    const record = processorRecord([a1, b, a2, none], [{ contractId: 'a2', destination: 'United States: a court', legalObligation: 'order 24-cv-0113', plannedAt: '2027-04-01T00:00:00.000Z' }], DPO, '2027-05-01T00:00:00.000Z');
    expect(record.processor).toMatchObject({ dpo: DPO });
    expect(record.controllers.map((c) => [c.name, c.identity, c.contracts.map((k) => k.contractId)])).toEqual([
      ['Acme Group', 'email:contact@acme.example', ['a1', 'a2']],
      ['Bravo, "the" shop', 'customer:C-42', ['b1']],
    ]);
    const acme = record.controllers[0]!;
    expect(acme.dataCategories.map((c) => c.id).sort()).toEqual(['connection-ip-address', 'email-address']);
    expect(acme.storageLocations.map((l) => l.id)).toEqual(['web-platform', 'ovh-sbg-2']);
    expect(acme.thirdCountryTransfers).toEqual([expect.objectContaining({ contractId: 'a2', destination: 'United States: a court', safeguards: expect.stringContaining('28(3)(a)') })]);
    expect(record.controllers[1]!.thirdCountryTransfers).toEqual([]);
    expect(record.securityMeasures.inTransit.keyMinBits).toBe(4096);
  });

  it('as rows, one per contract: the controller entry is the same folded in any order and in pieces, and each row has its own transfers', () => {
    const transfers: RecordedTransfer[] = [{ contractId: 'a2', destination: 'United States: a court', legalObligation: 'order 24-cv-0113', plannedAt: '2027-04-01T00:00:00.000Z' }];
    const whole = processorRecord([a1, b, a2], transfers, DPO, '2027-05-01T00:00:00.000Z');
    const { contracts: _c, thirdCountryTransfers: _t, ...acme } = whole.controllers[0]!;
    // Two pages: the first sees a1 and b, the second a2; the tallies were filled by another read of every contract, in reverse.
    const tallies = new ControllerTallies();
    for (const c of [a2, b, a1, a1]) tallies.add(c);
    const rows = [...processorRecordRows([a1, b, none], tallies, []), ...processorRecordRows([a2], tallies, transfers)];
    expect(rows.map((r) => [r.contractId, r.controller.identity, r.status])).toEqual([
      ['a1', 'email:contact@acme.example', 'active'],
      ['b1', 'customer:C-42', 'ordered'],
      ['a2', 'email:contact@acme.example', 'ordered'],
    ]);
    // The latest order names the controller on every row of it, and its categories are the union of its contracts'.
    expect(rows[0]!.controller).toEqual(acme);
    expect(rows[2]!.controller).toEqual(acme);
    expect(rows[0]!.thirdCountryTransfers).toEqual([]);
    expect(rows[2]!.thirdCountryTransfers).toEqual([expect.objectContaining({ contractId: 'a2', safeguards: expect.stringContaining('28(3)(a)') })]);
    // A page's contracts count in their controller's entry even if the tallies never saw them.
    const alone = processorRecordRows([a1], new ControllerTallies(), []);
    expect(alone[0]!.controller.dataCategories.map((c) => c.id)).toEqual(['email-address']);
    // Of two orders at the same instant, the smaller contract id names the controller, whatever the order they are added in.
    const twin = fold(contractOrdered({ contractId: 'a0', controller: { ...CONTROLLER, name: 'Acme Twin' } }));
    const sameInstant = fold(contractOrdered({ contractId: 'a9', controller: { ...CONTROLLER, name: 'Acme Nine' } }));
    for (const order of [[twin, sameInstant], [sameInstant, twin]]) {
      const t = new ControllerTallies();
      for (const c of order) t.add(c);
      expect(t.entry('email:contact@acme.example')!.name).toBe('Acme Twin');
    }
    expect(new ControllerTallies().entry('email:nobody@example.com')).toBeNull();
    // A bound on what a long read holds: the controllers counted first are forgotten first.
    const bounded = new ControllerTallies();
    for (const c of [a1, b, a2]) bounded.add(c);
    bounded.keepAtMost(1);
    expect([bounded.has('email:contact@acme.example'), bounded.has('customer:C-42')]).toEqual([false, true]);
  });

  it('as CSV: one row per contract, quoted by RFC 4180, formulas made inert', () => {
    const head = processorRecordHead(DPO, '2027-05-01T00:00:00.000Z');
    const csv = processorRecordCsvHeader() + processorRecordCsvLines(head, processorRecordRows([a1, b], new ControllerTallies(), []));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(PROCESSOR_RECORD_CSV_COLUMNS.join(','));
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[1]!.startsWith('Acme SAS,contact@acme.example,"1 rue de la Paix, 75002 Paris",dpo@acme.example,,a1,ACME-1,active,')).toBe(true);
    expect(lines[2]!.startsWith(`"Bravo, ""the"" shop",privacy@bravo.example,,,C-42,b1,'=cmd,ordered,`)).toBe(true);
    expect(lines[2]).toContain('Dana Officer <dpo@processor.example> +33 1 23 45 67 89');
    // Without a phone, transfers listed on their own contract's row, certifications none.
    const noPhone = processorRecordHead({ ...DPO, phone: null }, '2027-05-01T00:00:00.000Z');
    const withTransfer = processorRecordCsvLines(noPhone, processorRecordRows([a1], new ControllerTallies(), [{ contractId: 'a1', destination: 'US', legalObligation: 'order', plannedAt: '2027-04-01T00:00:00.000Z' }]));
    expect(withTransfer).toContain('US on 2027-04-01T00:00:00.000Z: order');
    expect(withTransfer).toContain('Dana Officer <dpo@processor.example>,');
    expect(withTransfer).toContain('Certifications: none');
    // A line break inside a cell is quoted.
    expect(processorRecordCsvLines(head, processorRecordRows([fold(contractOrdered({ contractId: 'x', controller: { ...CONTROLLER, address: 'line 1\nline 2' } }))], new ControllerTallies(), []))).toContain('"line 1\nline 2"');
    // No rows: no lines.
    expect(processorRecordCsvLines(head, [])).toBe('');
  });
});

describe('a CSV cell a spreadsheet opens (formula injection)', () => {
  // Each tricky first character, with the cell expected: an apostrophe makes a would-be formula text.
  const cases: [string, string, string][] = [
    ['an equals sign', '=1+1', "'=1+1"],
    ['a plus sign', '+1', "'+1"],
    ['a minus sign', '-1', "'-1"],
    ['an at sign', '@SUM(A1)', "'@SUM(A1)"],
    ['spaces before it', '  =1+1', "'  =1+1"],
    ['a no-break space before it', '\u00a0=1', "'\u00a0=1"],
    ['an ideographic space (U+3000) before it', '\u3000=1', "'\u3000=1"],
    ['an em space before it', '\u2003+1', "'\u2003+1"],
    ['a fullwidth equals sign', '\uff1d1', "'\uff1d1"],
    ['a fullwidth plus sign', '\uff0b1', "'\uff0b1"],
    ['a fullwidth minus sign', '\uff0d1', "'\uff0d1"],
    ['a fullwidth at sign', '\uff20x', "'\uff20x"],
    ['a leading tab', '\tx', "'\tx"],
    ['a leading carriage return (quoted too)', '\rx', `"'\rx"`],
    ['a quote and a formula', '="a,b"', `"'=""a,b"""`],
    ['an equals sign inside', 'a=b', 'a=b'],
    ['a space and a letter', ' x', ' x'],
    ['a hyphenated name', 'Jean-Luc', 'Jean-Luc'],
    ['nothing', '', ''],
    ['a comma', 'a,b', '"a,b"'],
  ];
  for (const [what, value, expected] of cases) {
    it(`${what}: ${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => expect(csvCell(value)).toBe(expected));
  }
});
