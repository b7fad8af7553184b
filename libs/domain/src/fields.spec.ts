import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isCalendarInstant } from './calendar';
import { codePoints, FIELDS, TEXT_PROBLEMS, textPattern, textProblem, type TextField } from './fields';

const fields = Object.entries(FIELDS) as [string, TextField][];
const field = fc.constantFrom(...fields);
/** A valid value of the field: letters only, within its lengths. */
const valid = (def: TextField) => fc.stringMatching(/^[a-z]+$/).filter((s) => s.length >= Math.max(def.minLength, 1) && s.length <= Math.min(def.maxLength, 50));
const control = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCharCode(c));
const bidi = fc.constantFrom(...[0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069].map((c) => String.fromCharCode(c)));

describe('text fields: one grammar for the domain, the API and its schemas', () => {
  it('refuses every control character (line breaks only in multi-line text), wherever it stands', () =>
    fc.assert(
      fc.property(field.chain(([name, def]) => fc.tuple(fc.constant(name), fc.constant(def), valid(def), control, fc.nat())), ([, def, value, c, at]) => {
        if (def.pattern) return; // a pattern field refuses it as well, on its grammar
        const i = at % (value.length + 1);
        const tainted = value.slice(0, i) + c + value.slice(i);
        const allowed = (c === '\n' || c === '\r') && def.multiline === true;
        expect(textProblem(tainted, def) === null).toBe(allowed && codePoints(tainted) <= def.maxLength);
        // The JSON Schema pattern says the same.
        expect(new RegExp(textPattern(def), 'u').test(tainted)).toBe(allowed);
      }),
    ));

  it('refuses bidirectional embeddings, overrides and isolates in every field', () =>
    fc.assert(
      fc.property(field.chain(([, def]) => fc.tuple(fc.constant(def), valid(def), bidi)), ([def, value, b]) => {
        expect(textProblem(`${value}${b}`, def)).toMatch(/bidi_control|pattern|too_long/);
        expect(new RegExp(textPattern(def), 'u').test(`${value}${b}`)).toBe(false);
      }),
    ));

  it('counts lengths in code points, as JSON Schema and PostgreSQL do: an emoji is one character', () => {
    for (const [, def] of fields) {
      if (def.pattern) continue;
      const emoji = '😀';
      expect(textProblem(emoji.repeat(def.maxLength), def)).toBeNull();
      expect(textProblem(emoji.repeat(def.maxLength + 1), def)).toBe('too_long');
      expect(codePoints(emoji.repeat(def.maxLength))).toBe(def.maxLength);
    }
  });

  it('each refusal names the field and its limit, never the value', () => {
    for (const [problem, message] of Object.entries(TEXT_PROBLEMS)) {
      const said = message('controller.name', { ...FIELDS.controllerName, multiline: true, description: 'Printable ASCII.' });
      expect(said, problem).toContain('controller.name');
      if (problem === 'too_long') expect(said).toContain('200');
      if (problem === 'too_short') expect(said).toContain('1');
      if (problem === 'pattern') expect(said).toContain('Printable ASCII.');
    }
    expect(TEXT_PROBLEMS.control_character('reason', FIELDS.reason)).toContain('line breaks');
    expect(TEXT_PROBLEMS.pattern('kind', { minLength: 1, maxLength: 5 })).toBe('kind must match its grammar');
  });

  it('refuses what is not text, blank text and broken UTF-16', () => {
    for (const [, def] of fields) {
      expect(textProblem(42, def)).toBe('not_text');
      expect(textProblem('   ', def)).toBe('empty');
      expect(textProblem('a\uD800b', def)).toBe('broken_unicode');
    }
    expect(textProblem('', { minLength: 0, maxLength: 5 })).toBe('empty');
    expect(textProblem('ab', { minLength: 3, maxLength: 5 })).toBe('too_short');
    expect(textProblem('ACME 1', FIELDS.credentialKind)).toBe('pattern');
  });
});

describe('instants: only those on the calendar', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  it('an instant is valid exactly when its date and time exist (checked against Date.UTC) and its offset is within ±14:00', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        fc.integer({ min: 0, max: 24 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 16 }),
        fc.integer({ min: 0, max: 59 }),
        fc.constantFrom('+', '-', 'Z'),
        (year, month, day, hour, minute, offsetHours, offsetMinutes, sign) => {
          const zone = sign === 'Z' ? 'Z' : `${sign}${pad(offsetHours)}:${pad(offsetMinutes)}`;
          const at = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:00${zone}`;
          const utc = new Date(Date.UTC(2000, month - 1, day, hour, minute));
          utc.setUTCFullYear(year);
          const exists =
            year >= 1 && month >= 1 && month <= 12 && day >= 1 && hour <= 23 && minute <= 59 && utc.getUTCFullYear() === year && utc.getUTCMonth() === month - 1 && utc.getUTCDate() === day;
          const offsetOk = sign === 'Z' || offsetHours * 60 + offsetMinutes <= 14 * 60;
          expect(isCalendarInstant(at), at).toBe(exists && offsetOk);
        },
      ),
      { numRuns: 2000 },
    ));

  it('refuses what is not an ISO-8601 instant with a zone', () => {
    for (const at of ['2027-01-31', '2027-01-31T00:00:00', '2027-01-31 00:00:00Z', 'tomorrow', '', 42, null, `2027-01-31T00:00:00.${'1'.repeat(40)}Z`]) expect(isCalendarInstant(at)).toBe(false);
    for (const at of ['2028-02-29T00:00:00Z', '2027-01-31T23:59:59.999+14:00', '0001-01-01T00:00:00Z', '9999-12-31T23:59:59-12:00']) expect(isCalendarInstant(at)).toBe(true);
  });
});
