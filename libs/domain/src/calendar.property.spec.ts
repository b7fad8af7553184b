import { UTCDate } from '@date-fns/utc';
import { addDays, addMonths, addYears } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDuration, maxLengthMs, minLengthMs, parseInstant, subtractDuration, termEnd, toEpochMillis } from './calendar';

// date-fns is an independent implementation of end-of-month clamping: our luxon-based
// arithmetic must agree with it on every date.

const instant = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2399-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => parseInstant(d.toISOString()));

const viaDateFns = (at: string, f: (d: UTCDate) => Date) => f(new UTCDate(at)).toISOString();

describe('calendar arithmetic agrees with date-fns', () => {
  it('adding n months clamps exactly like date-fns addMonths', () =>
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 120 }), (at, n) => {
        expect(addDuration(at, `P${n}M`)).toBe(viaDateFns(at, (d) => addMonths(d, n)));
      }),
    ));

  it('terms chain from the anchor: the k-th monthly term end is anchor + k months, not k clamped steps', () =>
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 48 }), (anchor, k) => {
        expect(termEnd(anchor, 'P1M', k)).toBe(viaDateFns(anchor, (d) => addMonths(d, k)));
      }),
    ));

  it('adding years and days agrees with addYears and addDays', () =>
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 400 }), (at, y, days) => {
        expect(addDuration(at, `P${y}Y`)).toBe(viaDateFns(at, (d) => addYears(d, y)));
        expect(addDuration(at, `P${days}D`)).toBe(viaDateFns(at, (d) => addDays(d, days)));
      }),
    ));

  it('subtracting months agrees with addMonths(−n)', () =>
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 24 }), (at, n) => {
        expect(subtractDuration(at, `P${n}M`)).toBe(viaDateFns(at, (d) => addMonths(d, -n)));
      }),
    ));
});

describe('length bounds hold for every start instant', () => {
  const duration = fc
    .record({
      y: fc.integer({ min: 0, max: 3 }),
      m: fc.integer({ min: 0, max: 25 }),
      d: fc.integer({ min: 0, max: 40 }),
      h: fc.integer({ min: 0, max: 48 }),
    })
    .filter(({ y, m, d, h }) => y + m + d + h > 0)
    .map(({ y, m, d, h }) => `P${y}Y${m}M${d}DT${h}H`.replace(/(?<!\d)0[YMDH]/g, '').replace(/T$/, ''));

  it('minLengthMs ≤ actual length ≤ maxLengthMs', () =>
    fc.assert(
      fc.property(instant, duration, (at, d) => {
        const length = toEpochMillis(addDuration(at, d)) - toEpochMillis(at);
        expect(length).toBeGreaterThanOrEqual(minLengthMs(d));
        expect(length).toBeLessThanOrEqual(maxLengthMs(d));
      }),
    ));
});
