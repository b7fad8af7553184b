import { parseInstant, type Instant } from '../calendar';
import { validationError } from '../errors';
import { EMAIL_SHAPE, FIELDS, TEXT_PROBLEMS, textProblem, type TextField, type TextProblem } from '../fields';

// Malformed input is a `validation` refusal. Messages name the field, never echo its value:
// values may be personal data.


const CODES: Record<TextProblem, string> = {
  not_text: 'input.required',
  empty: 'input.required',
  too_short: 'input.too_short',
  too_long: 'input.too_long',
  control_character: 'input.invalid_text',
  bidi_control: 'input.invalid_text',
  broken_unicode: 'input.invalid_text',
  pattern: 'input.invalid_format',
};

/** A text as `def` (a field of FIELDS, or a plain maximum length) allows it; lengths in code points. */
export function requireText(value: unknown, field: string, def: TextField | number = 200): string {
  const rule = typeof def === 'number' ? { minLength: 1, maxLength: def } : def;
  const problem = textProblem(value, rule);
  if (problem) throw validationError(CODES[problem], TEXT_PROBLEMS[problem](field, rule), { field, ...(problem === 'too_long' ? { maxLength: rule.maxLength } : {}) });
  return value as string;
}

export function optionalText(value: unknown, field: string, def: TextField | number = 500): string | null {
  return value === null || value === undefined ? null : requireText(value, field, def);
}

export function requireEmail(value: unknown, field: string): string {
  const email = requireText(value, field, FIELDS.email);
  if (!EMAIL_SHAPE.test(email)) throw validationError('input.invalid_email', `${field} must be an email address`, { field });
  return email;
}

export function optionalEmail(value: unknown, field: string): string | null {
  return value === null || value === undefined ? null : requireEmail(value, field);
}

export function requireCount(value: unknown, field: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw validationError('input.invalid_number', `${field} must be an integer of at least ${min}`, { field });
  }
  return value;
}

export function requireInstant(value: unknown, field: string): Instant {
  try {
    return parseInstant(value as string);
  } catch {
    throw validationError('calendar.invalid_instant', `${field} must be an ISO-8601 instant with Z or an offset`, { field });
  }
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError('input.required', `${field} must be an object`, { field });
  }
  return value as Record<string, unknown>;
}
