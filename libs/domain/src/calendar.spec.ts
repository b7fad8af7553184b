import { describe, expect, it } from 'vitest';
import {
  addDuration,
  computeMonthShiftDays,
  MONTH_SHIFT_DAYS,
  compareInstants,
  destructionDeadline,
  isAfter,
  isBefore,
  maxInstant,
  maxLengthMs,
  minLengthMs,
  parseDuration,
  parseInstant,
  parseOptionalDuration,
  subtractDuration,
  termEnd,
  termEndsSchedule,
  toEpochMillis,
} from './calendar';
import { codeOf } from './testing/factories';

const DAY = 86_400_000;


describe('instants', () => {
  it('normalises Z and offsets to canonical UTC with milliseconds', () => {
    expect(parseInstant('2027-01-31T00:00:00Z')).toBe('2027-01-31T00:00:00.000Z');
    expect(parseInstant('2027-01-31T02:00:00+02:00')).toBe('2027-01-31T00:00:00.000Z');
    expect(parseInstant('2027-01-31T00:00:00.5-0130')).toBe('2027-01-31T01:30:00.500Z');
    expect(parseInstant('2027-01-31T00:00Z')).toBe('2027-01-31T00:00:00.000Z');
  });

  it.each(['', '2027-01-31', '2027-01-31T00:00:00', '2027-02-30T00:00:00Z', '31/01/2027', 'now', '2027-01-31t00:00:00z'])(
    'refuses %j as calendar.invalid_instant (no local times, no impossible dates)',
    (s) => expect(codeOf(() => parseInstant(s))).toBe('calendar.invalid_instant'),
  );

  it('refuses non-strings as calendar.invalid_instant', () => {
    expect(codeOf(() => parseInstant(42 as unknown as string))).toBe('calendar.invalid_instant');
  });

  it('refuses instants outside the years 0001–9999', () => {
    expect(codeOf(() => parseInstant('0000-06-01T00:00:00Z'))).toBe('calendar.invalid_instant');
    expect(codeOf(() => parseInstant('0001-01-01T00:30:00+01:00'))).toBe('calendar.out_of_range');
    expect(codeOf(() => addDuration('9999-12-31T00:00:00Z', 'P1Y'))).toBe('calendar.out_of_range');
  });

  it('compares instants by time, not by spelling', () => {
    expect(compareInstants('2027-01-31T00:00:00Z', '2027-01-31T00:00:00.000Z')).toBe(0);
    expect(compareInstants('2027-01-31T01:00:00+02:00', '2027-01-31T00:00:00Z')).toBe(-1);
    expect(compareInstants('2027-02-01T00:00:00Z', '2027-01-31T00:00:00Z')).toBe(1);
    expect(isBefore('2027-01-01T00:00:00Z', '2027-01-02T00:00:00Z')).toBe(true);
    expect(isAfter('2027-01-01T00:00:00Z', '2027-01-02T00:00:00Z')).toBe(false);
    expect(maxInstant('2027-01-01T00:00:00.000Z', '2027-03-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z')).toBe('2027-03-01T00:00:00.000Z');
    expect(maxInstant('2027-01-01T00:00:00.000Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(toEpochMillis('1970-01-02T00:00:00Z')).toBe(DAY);
    expect(toEpochMillis('1970-01-02T00:00:00.000Z')).toBe(DAY);
  });

  it.each(['2027-02-30T00:00:00.000Z', '2027-13-01T00:00:00.000Z'])('compares only real instants: %s is refused', (s) => {
    expect(codeOf(() => compareInstants(s, '2027-01-01T00:00:00.000Z'))).toBe('calendar.invalid_instant');
  });
});

describe('durations', () => {
  it.each([
    ['P1M', 'P1M'],
    ['P1Y', 'P1Y'],
    ['PT36H', 'PT36H'],
    ['P1DT12H', 'P1DT12H'],
    ['P1Y2M3DT4H5M6S', 'P1Y2M3DT4H5M6S'],
    ['P2W', 'P2W'],
    ['P0Y1M', 'P1M'],
  ])('parses %s as %s', (s, canonical) => expect(parseDuration(s)).toBe(canonical));

  it.each(['P', 'PT', '1M', 'P1.5M', 'P-1M', 'P0D', 'P1MT', '', 'p1m', 'P1H', 'PT1D', 'P1M1Y'])(
    'refuses %j as calendar.invalid_duration',
    (s) => expect(codeOf(() => parseDuration(s))).toBe('calendar.invalid_duration'),
  );

  it('refuses non-strings and components beyond safe integers', () => {
    expect(codeOf(() => parseDuration(null as unknown as string))).toBe('calendar.invalid_duration');
    expect(codeOf(() => parseDuration('P99999999999999999M'))).toBe('calendar.invalid_duration');
  });

  it('reads null and written-out zeros as the zero duration (null)', () => {
    expect(parseOptionalDuration(null)).toBeNull();
    expect(parseOptionalDuration(undefined)).toBeNull();
    expect(parseOptionalDuration('PT0S')).toBeNull();
    expect(parseOptionalDuration('P0D')).toBeNull();
    expect(parseOptionalDuration('P14D')).toBe('P14D');
    expect(codeOf(() => parseOptionalDuration('P'))).toBe('calendar.invalid_duration');
  });
});

describe('calendar arithmetic (DESIGN §2)', () => {
  it.each([
    ['2027-12-31T00:00:00Z', 'P2M', '2028-02-29T00:00:00.000Z'],
    ['2027-08-31T00:00:00Z', 'P1M', '2027-09-30T00:00:00.000Z'],
    ['2027-01-31T10:15:00Z', 'P1M', '2027-02-28T10:15:00.000Z'],
    ['2028-02-29T00:00:00Z', 'P1Y', '2029-02-28T00:00:00.000Z'],
    ['2027-01-01T00:00:00Z', 'PT36H', '2027-01-02T12:00:00.000Z'],
    ['2027-01-01T00:00:00Z', 'P1DT12H', '2027-01-02T12:00:00.000Z'],
    ['2027-01-31T00:00:00Z', 'P1Y2M3DT4H5M6S', '2028-04-03T04:05:06.000Z'],
    ['2027-01-01T00:00:00Z', 'P2W', '2027-01-15T00:00:00.000Z'],
  ])('%s + %s = %s (end-of-month clamping)', (from, d, expected) => expect(addDuration(from, d)).toBe(expected));

  it('adds nothing for the zero duration (null)', () => {
    expect(addDuration('2027-01-31T00:00:00Z', null)).toBe('2027-01-31T00:00:00.000Z');
    expect(subtractDuration('2027-01-31T00:00:00Z', null)).toBe('2027-01-31T00:00:00.000Z');
  });

  it('subtracts with the same clamping', () => {
    expect(subtractDuration('2027-03-31T00:00:00Z', 'P1M')).toBe('2027-02-28T00:00:00.000Z');
    expect(subtractDuration('2028-03-01T00:00:00Z', 'P7D')).toBe('2028-02-23T00:00:00.000Z');
  });

  it('L2: monthly terms chain from the anchor: Jan 31 → Feb 28, Mar 31, Apr 30, never drifting to the 28th', () => {
    expect(termEndsSchedule('2027-01-31T00:00:00Z', 'P1M', 4)).toEqual([
      '2027-02-28T00:00:00.000Z',
      '2027-03-31T00:00:00.000Z',
      '2027-04-30T00:00:00.000Z',
      '2027-05-31T00:00:00.000Z',
    ]);
  });

  it('L2: in a leap year the monthly chain from Jan 31 ends on Feb 29', () => {
    expect(termEndsSchedule('2028-01-31T00:00:00Z', 'P1M', 3)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
      '2028-04-30T00:00:00.000Z',
    ]);
  });

  it('L2: yearly terms from Feb 29 end on Feb 28, and on Feb 29 again four years on', () => {
    expect(termEnd('2028-02-29T00:00:00Z', 'P1Y', 1)).toBe('2029-02-28T00:00:00.000Z');
    expect(termEnd('2028-02-29T00:00:00Z', 'P1Y', 4)).toBe('2032-02-29T00:00:00.000Z');
    expect(addDuration('2028-02-29T00:00:00Z', 'P1Y', 4)).toBe('2032-02-29T00:00:00.000Z');
  });

  it('termEndsSchedule starts at the requested term', () => {
    expect(termEndsSchedule('2027-01-31T00:00:00Z', 'P1M', 2, 3)).toEqual(['2027-04-30T00:00:00.000Z', '2027-05-31T00:00:00.000Z']);
  });

  it('multiplies time components too', () => {
    expect(addDuration('2027-01-01T00:00:00Z', 'PT36H', 2)).toBe('2027-01-04T00:00:00.000Z');
  });

  it('P11/L8: the destruction deadline is the end + two calendar months', () => {
    expect(destructionDeadline('2027-12-31T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(destructionDeadline('2027-08-31T12:00:00Z')).toBe('2027-10-31T12:00:00.000Z');
    expect(destructionDeadline('2027-03-15T00:00:00Z')).toBe('2027-05-15T00:00:00.000Z');
  });
});

describe('length bounds of calendar durations', () => {
  it('P2M lasts between 59 and 62 days (Dec 31 → Feb 28, Jul 1 → Sep 1)', () => {
    expect(minLengthMs('P2M')).toBe(59 * DAY);
    expect(maxLengthMs('P2M')).toBe(62 * DAY);
  });

  it('P1M lasts between 28 and 31 days; P1Y between 365 and 366', () => {
    expect(minLengthMs('P1M')).toBe(28 * DAY);
    expect(maxLengthMs('P1M')).toBe(31 * DAY);
    expect(minLengthMs('P1Y')).toBe(365 * DAY);
    expect(maxLengthMs('P1Y')).toBe(366 * DAY);
  });

  it('fixed durations have one length; zero (null) lasts nothing', () => {
    expect(minLengthMs('P1W2DT3H4M5S')).toBe(9 * DAY + (3 * 3600 + 4 * 60 + 5) * 1000);
    expect(maxLengthMs('P1W2DT3H4M5S')).toBe(minLengthMs('P1W2DT3H4M5S'));
    expect(minLengthMs(null)).toBe(0);
    expect(maxLengthMs(null)).toBe(0);
  });
});

describe('month-shift bounds', () => {
  it('L9: the precomputed table equals a scan of a full 400-year Gregorian cycle', () => {
    MONTH_SHIFT_DAYS.forEach(([min, max], months) => expect(computeMonthShiftDays(months)).toEqual({ min, max }));
  });

  it('shifts beyond the table are scanned: P3Y spans 1095 to 1096 days', () => {
    expect(minLengthMs('P3Y')).toBe(1095 * 86_400_000);
    expect(maxLengthMs('P3Y')).toBe(1096 * 86_400_000);
  });
});
