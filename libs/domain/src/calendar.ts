import { DateTime, Duration, Settings } from 'luxon';

// Only UTC arithmetic and ISO output here, never localised text: a fixed locale spares luxon from
// asking Intl for the system's at every new module state (each workflow run has one).
Settings.defaultLocale = 'en-US';
import { validationError } from './errors';

/** Canonical UTC ISO-8601 instant with milliseconds, e.g. `2027-01-31T00:00:00.000Z`. */
export type Instant = string;
/** ISO-8601 duration `PnYnMnWnDTnHnMnS`, integer components, never zero (zero is `null`). */
export type IsoDuration = string;

export const DESTRUCTION_PERIOD: IsoDuration = 'P2M';

const DAY_MS = 86_400_000;
const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const DURATION_SHAPE = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

interface DurationParts {
  readonly years: number;
  readonly months: number;
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The longest UTC offset in use (Kiribati's +14:00); an instant with a larger one names no place. */
const MAX_OFFSET_MINUTES = 14 * 60;

/** The longest instant or duration text the engine reads (a nanosecond instant with an offset is 35). */
export const MAX_TIME_TEXT = 40;

/**
 * The grammar of an instant (`INSTANT_SHAPE`), as JSON Schema carries it; `isCalendarInstant`
 * adds what a pattern cannot say (the date exists, the offset is within ±14:00).
 */
export const INSTANT_PATTERN = INSTANT_SHAPE.source;

/** The grammar of a duration (`P1M`, `P1Y`, `P14D`, `PT36H`), as JSON Schema carries it. */
export const DURATION_PATTERN = '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$';

/** True when `s` is a duration the domain reads (`parseOptionalDuration`; zero included). */
export function isDurationText(s: unknown): s is string {
  if (typeof s !== 'string' || s.length > MAX_TIME_TEXT) return false;
  const p = durationParts(s);
  return p !== null && Object.values(p).every((v) => Number.isSafeInteger(v));
}

/**
 * True when `at` is an ISO-8601 instant that exists on the calendar: a zone (Z or an offset up to
 * ±14:00), years 0001–9999, no February 30 or month 13, no hour 24. The API's validation and the
 * domain both ask this; nothing else reaches PostgreSQL as an instant.
 */
export function isCalendarInstant(at: unknown): at is string {
  // Fast path for the canonical form every stored instant has: Date.parse rolls February 30 or
  // hour 24 over, so only a value that formats back to itself is a date that exists.
  if (typeof at === 'string' && CANONICAL_INSTANT.test(at)) {
    const ms = Date.parse(at);
    return Number.isFinite(ms) && new Date(ms).toISOString() === at && Number(at.slice(0, 4)) >= 1;
  }
  return calendarDateTime(at) !== null;
}

/** `at` read as a date and time that exist, in UTC; null when it does not (see isCalendarInstant). */
function calendarDateTime(at: unknown): DateTime | null {
  if (typeof at !== 'string' || at.length > 40 || !INSTANT_SHAPE.test(at)) return null;
  const offset = /(?:Z|([+-])(\d{2}):?(\d{2}))$/.exec(at);
  if (offset?.[1] !== undefined && (Number(offset[3]) > 59 || Number(offset[2]) * 60 + Number(offset[3]) > MAX_OFFSET_MINUTES)) return null;
  // ISO-8601 allows 24:00 for the end of a day; an instant here names one moment, once: 00:00 of the next.
  const [hour, minute, second] = [at.slice(11, 13), at.slice(14, 16), at.slice(17, 19)].map(Number) as [number, number, number];
  if (hour > 23 || minute > 59 || (at[16] === ':' && second > 59)) return null;
  // Year 0 is not on the calendar; an instant whose UTC reading leaves 0001–9999 is out of range (toInstant).
  if (Number(at.slice(0, 4)) < 1) return null;
  const dt = DateTime.fromISO(at, { zone: 'utc' });
  return dt.isValid ? dt : null;
}

function toDateTime(at: string): DateTime {
  // Stored instants are canonical: read from their milliseconds, without luxon's ISO parser.
  const parsed = CANONICAL_INSTANT.test(at) && isCalendarInstant(at) ? DateTime.fromMillis(Date.parse(at), { zone: 'utc' }) : calendarDateTime(at);
  if (parsed === null) {
    throw validationError(
      'calendar.invalid_instant',
      'an instant must be an ISO-8601 date and time with Z or an offset, e.g. 2027-01-31T00:00:00Z',
      { value: typeof at === 'string' ? at.slice(0, 40) : typeof at },
    );
  }
  return parsed;
}

function toInstant(dt: DateTime): Instant {
  if (!dt.isValid || dt.year < 1 || dt.year > 9999) {
    throw validationError('calendar.out_of_range', 'the computed instant falls outside the years 0001–9999');
  }
  return dt.toISO() as Instant;
}

export function parseInstant(s: string): Instant {
  return toInstant(toDateTime(s));
}

function durationParts(s: string): DurationParts | null {
  const m = typeof s === 'string' ? DURATION_SHAPE.exec(s) : null;
  // `P` alone and a trailing `T` without a time component are not durations.
  if (m === null || s === 'P' || s.endsWith('T')) return null;
  const n = (i: number): number => (m[i] === undefined ? 0 : Number(m[i]));
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

function invalidDuration(s: unknown, why: string) {
  return validationError('calendar.invalid_duration', `a duration must be ISO-8601 like P1M, P1Y or PT36H: ${why}`, {
    value: typeof s === 'string' ? s.slice(0, 40) : typeof s,
  });
}

function isZero(p: DurationParts): boolean {
  return Object.values(p).every((v) => v === 0);
}

function format(p: DurationParts): IsoDuration {
  const part = (v: number, unit: string) => (v === 0 ? '' : `${v}${unit}`);
  const time = part(p.hours, 'H') + part(p.minutes, 'M') + part(p.seconds, 'S');
  return `P${part(p.years, 'Y')}${part(p.months, 'M')}${part(p.weeks, 'W')}${part(p.days, 'D')}${time === '' ? '' : `T${time}`}`;
}

function partsOf(s: string): DurationParts {
  const p = durationParts(s);
  if (p === null) throw invalidDuration(s, 'integer components only, units in the order Y M W D T H M S');
  if (Object.values(p).some((v) => !Number.isSafeInteger(v))) throw invalidDuration(s, 'a component is too large');
  return p;
}

/** A non-zero duration in canonical form (zero components dropped): `P0Y1M` → `P1M`. */
export function parseDuration(s: string): IsoDuration {
  const p = partsOf(s);
  if (isZero(p)) throw invalidDuration(s, 'it must not be zero');
  return format(p);
}

/** `null` stands for the zero duration; a zero written out (`PT0S`, `P0D`) is read as `null`. */
export function parseOptionalDuration(s: string | null | undefined): IsoDuration | null {
  if (s === null || s === undefined) return null;
  const p = partsOf(s);
  return isZero(p) ? null : format(p);
}

function scaled(duration: IsoDuration, times: number): Duration {
  const p = partsOf(duration);
  return Duration.fromObject({
    years: p.years * times,
    months: p.months * times,
    weeks: p.weeks * times,
    days: p.days * times,
    hours: p.hours * times,
    minutes: p.minutes * times,
    seconds: p.seconds * times,
  });
}

/**
 * Adds `times` × duration in one step, so that calendar months clamp to the end of the
 * month once, from the anchor: 2027-01-31 + P1M×2 = 2027-03-31, never 2027-03-28.
 */
export function addDuration(at: Instant, duration: IsoDuration | null, times = 1): Instant {
  const start = toDateTime(at);
  return toInstant(duration === null ? start : start.plus(scaled(duration, times)));
}

export function subtractDuration(at: Instant, duration: IsoDuration | null): Instant {
  const start = toDateTime(at);
  return toInstant(duration === null ? start : start.minus(scaled(duration, 1)));
}

/** End of the n-th term of a contract anchored at `anchor` (L2, calendar arithmetic). */
export function termEnd(anchor: Instant, period: IsoDuration, n: number): Instant {
  return addDuration(anchor, period, n);
}

/** The ends of terms `from` … `from + count - 1`, each computed from the anchor. */
export function termEndsSchedule(anchor: Instant, period: IsoDuration, count: number, from = 1): Instant[] {
  return Array.from({ length: count }, (_, i) => termEnd(anchor, period, from + i));
}

/** P11/L8: all personal data destroyed within two calendar months of the end. */
export function destructionDeadline(endedAt: Instant): Instant {
  return addDuration(endedAt, DESTRUCTION_PERIOD);
}

interface DayBounds {
  readonly min: number;
  readonly max: number;
}

function daysInMonth(year: number, month: number): number {
  return (Date.UTC(year, month + 1, 1) - Date.UTC(year, month, 1)) / DAY_MS;
}

/**
 * Shortest and longest span, in days, of a shift by `months` calendar months over every
 * start date of a full 400-year Gregorian cycle (the calendar repeats after it).
 */
const shiftCache: Record<number, DayBounds> = {};

/**
 * computeMonthShiftDays for 0–120 months (up to P10Y, the longest billing period), precomputed: a
 * workflow's module state does not survive between runs in Temporal's sandbox, and the scan costs
 * milliseconds each time (it showed in every order's profile). A spec checks the table against the scan.
 */
// prettier-ignore
export const MONTH_SHIFT_DAYS: readonly (readonly [number, number])[] = [
  [0, 0], [28, 31], [59, 62], [89, 92], [120, 123], [150, 153], [181, 184], [212, 215], [242, 245], [273, 276], [303, 306], [334, 337],
  [365, 366], [393, 397], [424, 428], [454, 458], [485, 489], [515, 519], [546, 550], [577, 581], [607, 611], [638, 642], [668, 672], [699, 703],
  [730, 731], [758, 762], [789, 793], [819, 823], [850, 854], [880, 884], [911, 915], [942, 946], [972, 976], [1003, 1007], [1033, 1037], [1064, 1068],
  [1095, 1096], [1123, 1127], [1154, 1158], [1184, 1188], [1215, 1219], [1245, 1249], [1276, 1280], [1307, 1311], [1337, 1341], [1368, 1372], [1398, 1402], [1429, 1433],
  [1460, 1461], [1488, 1492], [1519, 1523], [1549, 1553], [1580, 1584], [1610, 1614], [1641, 1645], [1672, 1676], [1702, 1706], [1733, 1737], [1763, 1767], [1794, 1798],
  [1825, 1827], [1853, 1858], [1884, 1889], [1914, 1919], [1945, 1950], [1975, 1980], [2006, 2011], [2037, 2042], [2067, 2072], [2098, 2103], [2128, 2133], [2159, 2164],
  [2190, 2192], [2218, 2223], [2249, 2254], [2279, 2284], [2310, 2315], [2340, 2345], [2371, 2376], [2402, 2407], [2432, 2437], [2463, 2468], [2493, 2498], [2524, 2529],
  [2555, 2557], [2584, 2588], [2615, 2619], [2645, 2649], [2676, 2680], [2706, 2710], [2737, 2741], [2768, 2772], [2798, 2802], [2829, 2833], [2859, 2863], [2890, 2894],
  [2921, 2922], [2949, 2953], [2980, 2984], [3010, 3014], [3041, 3045], [3071, 3075], [3102, 3106], [3133, 3137], [3163, 3167], [3194, 3198], [3224, 3228], [3255, 3259],
  [3286, 3288], [3314, 3319], [3345, 3350], [3375, 3380], [3406, 3411], [3436, 3441], [3467, 3472], [3498, 3503], [3528, 3533], [3559, 3564], [3589, 3594], [3620, 3625],
  [3651, 3653],
];

function monthShiftDays(months: number): DayBounds {
  const known = MONTH_SHIFT_DAYS[months];
  if (known) return { min: known[0], max: known[1] };
  return (shiftCache[months] ??= computeMonthShiftDays(months));
}

export function computeMonthShiftDays(months: number): DayBounds {
  if (months === 0) return { min: 0, max: 0 };
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let year = 2000; year < 2400; year++) {
    for (let month = 0; month < 12; month++) {
      const span = (Date.UTC(year, month + months, 1) - Date.UTC(year, month, 1)) / DAY_MS;
      const clamped = Math.max(0, daysInMonth(year, month) - daysInMonth(year, month + months));
      max = Math.max(max, span);
      min = Math.min(min, span - clamped);
    }
  }
  return { min, max };
}

function lengthMs(duration: IsoDuration | null, bound: keyof DayBounds): number {
  if (duration === null) return 0;
  const p = partsOf(duration);
  const days = monthShiftDays(p.years * 12 + p.months)[bound] + p.weeks * 7 + p.days;
  return days * DAY_MS + ((p.hours * 60 + p.minutes) * 60 + p.seconds) * 1000;
}

/** The longest a duration can last, over every possible start instant. */
export function maxLengthMs(duration: IsoDuration | null): number {
  return lengthMs(duration, 'max');
}

/** The shortest a duration can last, over every possible start instant. */
export function minLengthMs(duration: IsoDuration | null): number {
  return lengthMs(duration, 'min');
}


export function toEpochMillis(at: Instant): number {
  // Fast path for canonical instants (all of the state); Date.parse rolls Feb 30 over to
  // March, so only a value that formats back to itself is trusted.
  const ms = CANONICAL_INSTANT.test(at) ? Date.parse(at) : Number.NaN;
  return Number.isFinite(ms) && new Date(ms).toISOString() === at ? ms : toDateTime(at).toMillis();
}

export function compareInstants(a: Instant, b: Instant): -1 | 0 | 1 {
  const d = toEpochMillis(a) - toEpochMillis(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export const isBefore = (a: Instant, b: Instant): boolean => compareInstants(a, b) < 0;
export const isAfter = (a: Instant, b: Instant): boolean => compareInstants(a, b) > 0;

export function maxInstant(first: Instant, ...rest: Instant[]): Instant {
  return rest.reduce((latest, at) => (isAfter(at, latest) ? at : latest), first);
}
