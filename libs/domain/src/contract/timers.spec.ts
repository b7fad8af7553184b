import { describe, expect, it } from 'vitest';
import { decide } from './contract.decide';
import { fold } from './contract.evolve';
import { nextTimer, openClocks, upcomingDeadlines } from './contract.timers';
import {
  activeSince,
  allLocationsDestroyed,
  completeDestruction,
  contractOrdered,
  dataExportRequested,
  dataExportServed,
  destructionDeadlineMissed,
  destructionEscalated,
  destructionPlanned,
  destructionScheduled,
  destructionUnderway,
  handedOver,
  ordered,
  renewalAccepted,
  terminatedAndRevoked,
} from '../testing/factories';

const T0 = '2027-01-31T00:00:00Z';
const FEB_28 = '2027-02-28T00:00:00.000Z';
const END = '2027-12-31T00:00:00.000Z';
const ESCALATION = '2028-02-22T00:00:00.000Z';
const DEADLINE = '2028-02-29T00:00:00.000Z';
const yearly = { billingPeriod: 'P1Y' } as const;
/** When the engine acts on a timer: the command carries that instant, never the planned one. */
const ACTED = '2030-01-01T00:00:00.000Z';
const firing = (t: ReturnType<typeof nextTimer>) => t && { kind: t.kind, at: t.at, command: t.command(ACTED) };

describe('timers: what the workflow waits for', () => {
  it('an ordered contract waits only for signals (L1)', () => {
    expect(upcomingDeadlines(fold([ordered]))).toEqual([]);
    expect(nextTimer(fold([ordered]))).toBeNull();
    expect(nextTimer(fold([]))).toBeNull();
  });

  it('L5: an active contract expires at term end', () => {
    const s = fold(activeSince(T0));
    expect(upcomingDeadlines(s)).toEqual([{ kind: 'term-end', at: FEB_28 }]);
    expect(firing(nextTimer(s))).toEqual({ kind: 'term-end', at: FEB_28, command: { type: 'ExpireContract', data: { actedAt: ACTED } } });
  });

  it('L3: an accepted renewal moves the expiry timer to the new term end', () => {
    const s = fold([...activeSince(T0), renewalAccepted('inv-1', FEB_28, '2027-03-31T00:00:00Z')]);
    expect(nextTimer(s)?.at).toBe('2027-03-31T00:00:00.000Z');
  });

  it('L5: with a grace period the expiry timer fires at its end', () => {
    const s = fold([contractOrdered({ renewalGracePeriod: 'P5D' }), handedOver(T0)]);
    expect(upcomingDeadlines(s)).toEqual([
      { kind: 'term-end', at: FEB_28 },
      { kind: 'grace-end', at: '2027-03-05T00:00:00.000Z' },
    ]);
    expect(firing(nextTimer(s))).toEqual({
      kind: 'grace-end',
      at: '2027-03-05T00:00:00.000Z',
      command: { type: 'ExpireContract', data: { actedAt: ACTED } },
    });
  });

  it('L7/L8: an ended contract without a destruction plan has no timer: revocation and scheduling follow the end at once', () =>
    expect(nextTimer(fold(terminatedAndRevoked(T0, END, yearly)))).toBeNull());

  it('L9/L11/P11: a scheduled destruction waits for the return window, the escalation and the deadline', () => {
    const s = fold(destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' }));
    expect(upcomingDeadlines(s)).toEqual([
      { kind: 'return-window-end', at: '2028-01-14T00:00:00.000Z' },
      { kind: 'escalation', at: ESCALATION },
      { kind: 'destruction-deadline', at: DEADLINE },
    ]);
    expect(firing(nextTimer(s))).toEqual({
      kind: 'return-window-end',
      at: '2028-01-14T00:00:00.000Z',
      command: { type: 'StartDestruction', data: { actedAt: ACTED } },
    });
  });

  it('L9: an unserved export holds the start back; once served late, destruction starts at the serving instant', () => {
    const planned = destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' });
    const pending = fold([...planned, dataExportRequested('x-1', '2028-01-05T00:00:00Z')]);
    expect(nextTimer(pending)?.kind).toBe('escalation');
    const servedLate = fold([...planned, dataExportRequested('x-1', '2028-01-05T00:00:00Z'), dataExportServed('x-1', '2028-01-20T00:00:00Z')]);
    expect(firing(nextTimer(servedLate))).toEqual({
      kind: 'return-window-end',
      at: '2028-01-20T00:00:00.000Z',
      command: { type: 'StartDestruction', data: { actedAt: ACTED } },
    });
    const servedEarly = fold([...planned, dataExportRequested('x-1', '2028-01-05T00:00:00Z'), dataExportServed('x-1', '2028-01-06T00:00:00Z')]);
    expect(nextTimer(servedEarly)?.at).toBe('2028-01-14T00:00:00.000Z');
  });

  it('L11: once destruction started, the escalation comes next, then the deadline', () => {
    const underway = destructionUnderway(T0, END, END, yearly);
    expect(firing(nextTimer(fold(underway)))).toEqual({ kind: 'escalation', at: ESCALATION, command: { type: 'EscalateDestruction', data: { actedAt: ACTED } } });
    const escalated = fold([...underway, destructionEscalated(ESCALATION, DEADLINE)]);
    expect(upcomingDeadlines(escalated)).toEqual([{ kind: 'destruction-deadline', at: DEADLINE }]);
    expect(firing(nextTimer(escalated))).toEqual({ kind: 'destruction-deadline', at: DEADLINE, command: { type: 'MarkDeadlineMissed', data: { actedAt: ACTED } } });
    const missed = fold([...underway, destructionEscalated(ESCALATION, DEADLINE), destructionDeadlineMissed(DEADLINE, DEADLINE)]);
    expect(upcomingDeadlines(missed)).toEqual([]);
    expect(nextTimer(missed)).toBeNull();
  });

  it('L11: with a zero margin the escalation and the deadline coincide, escalation first', () => {
    const s = fold([...terminatedAndRevoked(T0, END, yearly), destructionScheduled(END, { escalationMargin: null })]);
    expect(upcomingDeadlines(s)).toEqual([
      { kind: 'return-window-end', at: END },
      { kind: 'escalation', at: DEADLINE },
      { kind: 'destruction-deadline', at: DEADLINE },
    ]);
  });
});

describe('open clocks: what the inbox lists (DESIGN §3.9)', () => {
  it('an active contract: its term end, and the grace end when it has one; none before the hand-over', () => {
    expect(openClocks(fold([ordered]))).toEqual([]);
    expect(openClocks(fold(activeSince(T0)))).toEqual([{ kind: 'term-end', at: FEB_28 }]);
    expect(openClocks(fold([contractOrdered({ renewalGracePeriod: 'P5D' }), handedOver(T0)]))).toEqual([
      { kind: 'term-end', at: FEB_28 },
      { kind: 'grace-end', at: '2027-03-05T00:00:00.000Z' },
    ]);
  });

  it('L8/L9: from the end, the return window until destruction starts and the deadline until the certificate; never the internal escalation', () => {
    const planned = destructionPlanned(T0, END, { ...yearly, returnWindow: 'P14D' });
    expect(openClocks(fold(planned))).toEqual([
      { kind: 'return-window-end', at: '2028-01-14T00:00:00.000Z' },
      { kind: 'destruction-deadline', at: DEADLINE },
    ]);
    const underway = destructionUnderway(T0, END, '2028-01-14T00:00:00Z', yearly);
    expect(openClocks(fold(underway))).toEqual([{ kind: 'destruction-deadline', at: DEADLINE }]);
    // Without a return window there is no window to show, even before destruction starts.
    expect(openClocks(fold(destructionPlanned(T0, END, yearly)))).toEqual([{ kind: 'destruction-deadline', at: DEADLINE }]);
  });

  it('L11: a missed deadline stays open (overdue), where the timers are done with it', () => {
    const missed = fold([...destructionUnderway(T0, END, END, yearly), destructionEscalated(ESCALATION, DEADLINE), destructionDeadlineMissed(DEADLINE, DEADLINE)]);
    expect(upcomingDeadlines(missed)).toEqual([]);
    expect(openClocks(missed)).toEqual([{ kind: 'destruction-deadline', at: DEADLINE }]);
  });

  it('L12: the certificate closes every clock', () => {
    const destroyedAt = '2028-01-10T00:00:00Z';
    const history = [...destructionUnderway(T0, END, END, yearly), ...allLocationsDestroyed(destroyedAt)];
    const completed = decide(completeDestruction(destroyedAt), fold(history));
    expect(openClocks(fold([...history, ...completed]))).toEqual([]);
  });
});
