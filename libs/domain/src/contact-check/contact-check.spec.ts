import { describe, expect, it } from 'vitest';
import { addDuration } from '../calendar';
import { specify } from '../kit/given';
import {
  contactCheckClocks,
  contactCheckStream,
  nextTimer,
  spreadOver,
  toContactCheckView,
  type ContactCheckCommand,
  type ContactCheckEvent,
  type ContactCheckState,
  type OpenedContactCheck,
} from './contact-check.decider';
import { contactCheckType } from './contact-check.type';

const given = specify(contactCheckStream);
const CHECK = 'c4ec0000-0000-4000-8000-000000000001';
const CONTROLLER = 'c0e70000-0000-4000-8000-000000000001';
const T0 = '2027-01-31T10:00:00.000Z';

const note = (contracts: number, countedAt = T0, firstRoundAt = countedAt): ContactCheckCommand => ({
  type: 'NoteProcessing',
  data: { checkId: CHECK, controllerId: CONTROLLER, identity: 'customer:ACME', contact: 'security@acme.example', period: 'P6M', firstRoundAt, openedAt: countedAt, contracts, countedAt },
});
const opened: ContactCheckEvent = { type: 'ContactCheckOpened', data: { checkId: CHECK, controllerId: CONTROLLER, identity: 'customer:ACME', contact: 'security@acme.example', period: 'P6M', firstRoundAt: T0, openedAt: T0 } };
const counted = (contracts: number, countedAt = T0): ContactCheckEvent => ({ type: 'ProcessingCounted', data: { contracts, countedAt } });
const round = (n: number, openedAt: string, dueAt: string | null = openedAt, contact = 'security@acme.example'): ContactCheckEvent => ({ type: 'ContactRoundOpened', data: { n, contact, dueAt, openedAt } });
const state = (...events: ContactCheckEvent[]) => given(...events).state as OpenedContactCheck;
const parties = { controllerName: 'Acme SAS', controllerEmail: 'privacy@acme.example', controllerDpoEmail: null, contractReference: null };

describe('contact checks (P8, DESIGN §3.10)', () => {
  it("opens at a controller's first hand-over and asks at once; a count read before the last one records nothing", () => {
    given().when(note(1)).then(opened, counted(1));
    given().when(note(0)).thenNothing();
    // The same count, counted later, is recorded: a staler count arriving after it is then known as such.
    given(opened, counted(1)).when(note(1, '2027-02-01T00:00:00.000Z')).then(counted(1, '2027-02-01T00:00:00.000Z'));
    given(opened, counted(1), counted(1, '2027-02-01T00:00:00.000Z')).when(note(0, '2027-01-31T20:00:00.000Z')).thenNothing();
    given(opened, counted(1)).when(note(2, '2027-02-01T00:00:00.000Z')).then(counted(2, '2027-02-01T00:00:00.000Z'));
    given(opened, counted(1), counted(2, '2027-02-01T00:00:00.000Z')).when(note(0, '2027-01-31T12:00:00.000Z')).thenNothing();
    const s = state(opened, counted(1));
    expect(s.status).toBe('scheduled');
    expect(nextTimer(s)).toMatchObject({ kind: 'contact-check-round', at: T0 });
    given(opened, counted(1)).when(nextTimer(s)!.command('2027-01-31T10:00:01.000Z')).then(round(1, '2027-01-31T10:00:01.000Z', T0));
    given().when({ ...note(1), data: { ...(note(1).data as object), contact: 'not an address' } } as ContactCheckCommand).thenThrows('input.invalid_email', 'validation');
  });

  it('reminds account management P14D after an unconfirmed ask and escalates to the DPO after P30D, each once; a confirmation stops both', () => {
    const asked = round(1, T0);
    const s = state(opened, counted(1), asked);
    // Written out: 2027-01-31 + P14D = 2027-02-14; + P30D = 2027-03-02.
    const reminder = nextTimer(s)!;
    expect(reminder).toMatchObject({ kind: 'contact-check-reminder', at: '2027-02-14T10:00:00.000Z' });
    const reminded: ContactCheckEvent = { type: 'ContactCheckReminded', data: { n: 1, dueAt: '2027-02-14T10:00:00.000Z', actedAt: '2027-02-14T10:00:00.500Z' } };
    given(opened, counted(1), asked).when(reminder.command('2027-02-14T10:00:00.500Z')).then(reminded);
    given(opened, counted(1), asked, reminded).when(reminder.command('2027-02-14T10:00:01.000Z')).thenNothing();
    const escalation = nextTimer(state(opened, counted(1), asked, reminded))!;
    expect(escalation).toMatchObject({ kind: 'contact-check-escalation', at: '2027-03-02T10:00:00.000Z' });
    const escalated: ContactCheckEvent = { type: 'ContactCheckEscalated', data: { n: 1, dueAt: '2027-03-02T10:00:00.000Z', actedAt: '2027-03-02T10:00:00.500Z' } };
    given(opened, counted(1), asked, reminded).when(escalation.command('2027-03-02T10:00:00.500Z')).then(escalated);
    // Next: the round after the period (clamped to the month's end: 2027-07-31).
    expect(nextTimer(state(opened, counted(1), asked, reminded, escalated))).toMatchObject({ kind: 'contact-check-round', at: '2027-07-31T10:00:00.000Z' });
    expect(contactCheckClocks(state(opened, counted(1), asked))).toEqual([{ kind: 'contact-unconfirmed', at: '2027-02-14T10:00:00.000Z' }]);
    expect(toContactCheckView(state(opened, counted(1), asked), '2027-02-14T10:00:00.000Z').overdue).toEqual([]);
    expect(toContactCheckView(state(opened, counted(1), asked), '2027-02-14T10:00:00.001Z').overdue).toEqual(['confirmationDue']);

    const confirmed: ContactCheckEvent = { type: 'ContactConfirmed', data: { n: 1, address: 'security@acme.example', at: '2027-02-01T08:00:00.000Z' } };
    given(opened, counted(1), asked).when({ type: 'ConfirmContact', data: { round: 1, at: '2027-02-01T08:00:00.000Z' } }).then(confirmed);
    const done = state(opened, counted(1), asked, confirmed);
    expect(done.status).toBe('confirmed');
    expect(nextTimer(done)).toMatchObject({ kind: 'contact-check-round' });
    expect(contactCheckClocks(done)).toEqual([]);
    expect(toContactCheckView(done, '2027-03-01T00:00:00.000Z')).toMatchObject({ lastConfirmedAt: '2027-02-01T08:00:00.000Z', round: { confirmedBy: 'security@acme.example' } });
    // A used link records nothing more; one of an earlier round says so.
    given(opened, counted(1), asked, confirmed).when({ type: 'ConfirmContact', data: { round: 1, at: '2027-02-02T00:00:00.000Z' } }).thenNothing();
    given(opened, counted(1), asked, round(2, '2027-02-05T00:00:00.000Z', null)).when({ type: 'ConfirmContact', data: { round: 1, at: '2027-02-06T00:00:00.000Z' } }).thenThrows('contact_check.stale', 'conflict');
    given(opened, counted(1)).when({ type: 'ConfirmContact', data: { round: 1, at: T0 } }).thenThrows('contact_check.stale', 'conflict');
  });

  it('pauses when the last contract in processing ends, and asks again at once when one starts', () => {
    const ended = counted(0, '2027-05-01T00:00:00.000Z');
    given(opened, counted(1), round(1, T0)).when(note(0, '2027-05-01T00:00:00.000Z')).then(ended);
    expect(state(opened, counted(2), round(1, T0), counted(1, '2027-05-01T00:00:00.000Z')).status).toBe('awaiting');
    const dormant = state(opened, counted(1), round(1, T0), ended);
    expect(dormant).toMatchObject({ status: 'dormant', nextRoundAt: null, contracts: 0 });
    expect(nextTimer(dormant)).toBeNull();
    expect(contactCheckClocks(dormant)).toEqual([]);
    expect(contactCheckType.emails!(dormant, parties)).toEqual([]);
    given(opened, counted(1), round(1, T0), ended).when(note(1, '2027-04-30T00:00:00.000Z')).thenNothing();
    given(opened, counted(1), round(1, T0), ended).when({ type: 'ResendContactCheck', data: { at: '2027-05-02T00:00:00.000Z' } }).thenThrows('contact_check.dormant', 'conflict');
    given(opened, counted(1), round(1, T0), ended).when({ type: 'OpenContactRound', data: { dueAt: T0, actedAt: T0 } }).thenNothing();
    const back = state(opened, counted(1), round(1, T0), ended, counted(1, '2027-06-01T00:00:00.000Z'));
    expect(back).toMatchObject({ status: 'awaiting', nextRoundAt: '2027-06-01T00:00:00.000Z' });
  });

  it('asks a new contact at once, and a resend asks again with a new round', () => {
    const changed: ContactCheckEvent = { type: 'ContactChanged', data: { contact: 'cert@acme.example', at: '2027-03-01T00:00:00.000Z' } };
    given(opened, counted(1), round(1, T0)).when({ type: 'ChangeContact', data: { contact: 'cert@acme.example', at: '2027-03-01T00:00:00.000Z' } }).then(changed);
    given(opened, counted(1)).when({ type: 'ChangeContact', data: { contact: 'security@acme.example', at: T0 } }).thenNothing();
    expect(nextTimer(state(opened, counted(1), round(1, T0), changed))).toMatchObject({ kind: 'contact-check-reminder' });
    expect(state(opened, counted(1), round(1, T0), changed).nextRoundAt).toBe('2027-03-01T00:00:00.000Z');
    given(opened, counted(1), round(1, T0)).when({ type: 'ResendContactCheck', data: { at: '2027-02-20T00:00:00.000Z' } }).then(round(2, '2027-02-20T00:00:00.000Z', null));
    given(opened, counted(1), round(1, T0), round(2, '2027-02-20T00:00:00.000Z', null)).when({ type: 'OpenContactRound', data: { dueAt: addDuration(T0, 'P6M'), actedAt: T0 } }).thenNothing();
    given().when({ type: 'ConfirmContact', data: { round: 1, at: T0 } }).thenThrows('contact_check.not_found', 'not_found');
  });

  it('spreads the first asks of controllers already in processing over one period, the same for each every time', () => {
    const from = '2027-01-01T00:00:00.000Z';
    const firsts = ['customer:A', 'customer:B', 'email:x@y.example', 'customer:C'].map((id) => spreadOver(id, 'P6M', from));
    for (const at of firsts) expect(at >= from && at < addDuration(from, 'P6M')).toBe(true);
    expect(new Set(firsts).size).toBe(4);
    expect(spreadOver('customer:A', 'P6M', from)).toBe(firsts[0]);
    const backfill = contactCheckType.commands!['note']!.toCommand({ contracts: 3, countedAt: from, contact: 'security@acme.example', period: 'P6M', backfill: true }, { id: CHECK, contractId: null, contract: null, controller: { id: CONTROLLER, identity: 'customer:A' }, recordedAt: from });
    expect(backfill).toMatchObject({ type: 'NoteProcessing', data: { firstRoundAt: firsts[0], openedAt: from, contracts: 3, countedAt: from } });
    const first = contactCheckType.commands!['note']!.toCommand({ contracts: 1, countedAt: from, contact: 'security@acme.example', period: 'P6M', backfill: false }, { id: CHECK, contractId: null, contract: null, controller: { id: CONTROLLER, identity: 'customer:A' }, recordedAt: from });
    expect(first).toMatchObject({ data: { firstRoundAt: from } });
  });

  it('owes the contact its ask while a round is open, account management and the DPO their nudges once due, and nothing once confirmed', () => {
    const asked = round(1, T0);
    const kinds = (s: ContactCheckState) => contactCheckType.emails!(s, parties).map((m) => m.kind);
    expect(kinds(state(opened, counted(1)))).toEqual([]);
    expect(kinds(state(opened, counted(1), asked))).toEqual(['contact-check']);
    expect(contactCheckType.emails!(state(opened, counted(1), asked), parties)[0]).toEqual({ kind: 'contact-check', checkId: CHECK, round: 1, contact: 'security@acme.example', openedAt: T0, confirmationDue: '2027-02-14T10:00:00.000Z', key: 'customer:ACME', controllerName: 'Acme SAS' });
    const reminded: ContactCheckEvent = { type: 'ContactCheckReminded', data: { n: 1, dueAt: '2027-02-14T10:00:00.000Z', actedAt: '2027-02-14T10:00:00.500Z' } };
    const escalated: ContactCheckEvent = { type: 'ContactCheckEscalated', data: { n: 1, dueAt: '2027-03-02T10:00:00.000Z', actedAt: '2027-03-02T10:00:00.500Z' } };
    expect(kinds(state(opened, counted(1), asked, reminded, escalated))).toEqual(['contact-check', 'contact-check-reminder', 'contact-check-escalation']);
    expect(kinds(state(opened, counted(1), asked, { type: 'ContactConfirmed', data: { n: 1, address: 'security@acme.example', at: T0 } }))).toEqual([]);
    expect(contactCheckType.view!.schema().safeParse(toContactCheckView(state(opened, counted(1), asked), T0)).success).toBe(true);
    expect(contactCheckType.view!.schema().safeParse(toContactCheckView(state(opened, counted(1)), T0)).success).toBe(true);
  });

  it('is confirmed from the portal by the contact itself only, while a round awaits it', () => {
    const offered = (st: OpenedContactCheck, address: string) => contactCheckType.commands!.confirm!.portal!.offered!(st as never, T0, address);
    const awaiting = state(opened, counted(1), round(1, T0));
    expect(awaiting.status).toBe('awaiting');
    expect(offered(awaiting, 'Security@Acme.example')).toBe(true);
    // Another address on record for the controller (its own email, its DPO's) cannot answer for the contact's mailbox.
    expect(offered(awaiting, 'privacy@acme.example')).toBe(false);
    expect(offered(state(opened, counted(1), round(1, T0), { type: 'ContactConfirmed', data: { n: 1, address: 'security@acme.example', at: T0 } }), 'security@acme.example')).toBe(false);
    // The round it answers is the one open now.
    expect(contactCheckType.commands!.confirm!.portal!.preset!(T0, state(opened, counted(1), round(1, T0), round(2, T0)) as never)).toEqual({ round: 2 });
  });
});
