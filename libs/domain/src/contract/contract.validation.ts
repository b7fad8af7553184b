import { parseInstant, type Instant } from '../calendar';
import { validationError } from '../errors';

// Malformed input is a `validation` refusal. Messages name the field, never echo its value:
// values may be personal data.

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Control characters (NUL above all) and lone UTF-16 surrogates cannot be stored as text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function requireText(value: unknown, field: string, maxLength = 200): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw validationError('input.required', `${field} must be a non-empty text`, { field });
  }
  if (value.length > maxLength) {
    throw validationError('input.too_long', `${field} must be at most ${maxLength} characters`, { field, maxLength });
  }
  if (CONTROL.test(value) || LONE_SURROGATE.test(value)) {
    throw validationError('input.invalid_text', `${field} must not contain control characters or broken Unicode`, { field });
  }
  return value;
}

export function optionalText(value: unknown, field: string, maxLength = 500): string | null {
  return value === null || value === undefined ? null : requireText(value, field, maxLength);
}

export function requireEmail(value: unknown, field: string): string {
  const email = requireText(value, field, 254);
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
