import { UTCDate } from '@date-fns/utc';
import { addDays, addMonths, addYears } from 'date-fns';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDuration,
  DURATION_PATTERN,
  INSTANT_PATTERN,
  isCalendarInstant,
  isDurationText,
  maxLengthMs,
  minLengthMs,
  parseInstant,
  parseOptionalDuration,
  subtractDuration,
  termEnd,
  toEpochMillis,
} from './calendar';

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

describe('the grammars the OpenAPI document carries agree with the domain', () => {
  const durationLike = fc.oneof(
    fc.stringMatching(/^P(\d{1,3}[YMWD]){0,4}(T(\d{1,3}[HMS]){0,3})?$/),
    fc.string({ maxLength: 12 }).map((s) => `P${s}`),
    fc.string({ maxLength: 12 }),
  );

  it('DURATION_PATTERN accepts exactly the durations the domain reads', () => {
    const pattern = new RegExp(DURATION_PATTERN, 'u');
    fc.assert(
      fc.property(durationLike, (s) => {
        const readable = (() => {
          try {
            parseOptionalDuration(s);
            return true;
          } catch {
            return false;
          }
        })();
        expect(isDurationText(s)).toBe(readable);
        // A pattern cannot bound a number's size: it may accept more, never less.
        if (readable) expect(pattern.test(s)).toBe(true);
        if (!pattern.test(s)) expect(readable).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('INSTANT_PATTERN accepts every instant that exists on the calendar', () => {
    const pattern = new RegExp(INSTANT_PATTERN, 'u');
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), fc.integer({ min: -14, max: 14 }), (d, offset) => {
        const iso = d.toISOString();
        const shifted = offset === 0 ? iso : `${iso.slice(0, 19)}${offset < 0 ? '-' : '+'}${String(Math.abs(offset)).padStart(2, '0')}:00`;
        expect(isCalendarInstant(shifted)).toBe(true);
        expect(pattern.test(shifted)).toBe(true);
      }),
    );
  });
});
