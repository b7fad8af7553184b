/**
 * The grammar and limits of every text field the engine accepts: one definition, read by the
 * domain's checks, the API's validation and its OpenAPI schemas alike. Lengths count Unicode code
 * points, as JSON Schema's `maxLength` and PostgreSQL's `char_length` do (not UTF-16 units).
 */
export interface TextField {
  readonly minLength: number;
  readonly maxLength: number;
  /** Text over several lines (an address, a reason, a private key): line feeds and carriage returns allowed, nothing else below U+0020. */
  readonly multiline?: boolean;
  /** A stricter grammar, as an ECMAScript pattern JSON Schema carries as is. */
  readonly pattern?: string;
  readonly description?: string;
}

const text = (minLength: number, maxLength: number, extra: Omit<TextField, 'minLength' | 'maxLength'> = {}): TextField => ({ minLength, maxLength, ...extra });

export const FIELDS = {
  controllerName: text(1, 200),
  controllerAddress: text(1, 500, { multiline: true }),
  email: text(3, 254),
  customerId: text(1, 100),
  reference: text(1, 100, { pattern: '^[\\x20-\\x7e]*[\\x21-\\x7e][\\x20-\\x7e]*$', description: 'Printable ASCII; compared trimmed and case-folded.' }),
  reason: text(1, 500, { multiline: true }),
  invoiceId: text(1, 100),
  credentialKind: text(1, 50, { pattern: '^[a-z0-9][a-z0-9_-]*$', description: 'Lowercase letters, digits, - or _.' }),
  host: text(1, 253),
  username: text(1, 200),
  // A private key or a certificate runs over lines.
  secret: text(1, 4000, { multiline: true }),
  locationId: text(1, 100),
  apiKeyName: text(1, 100),
  search: text(1, 200),
  // The controller's own opaque ticket reference, never the person (DESIGN §3): letters, digits and -_.:/ only, so no name or email fits.
  subjectRequestReference: text(1, 64, {
    pattern: '^[A-Za-z0-9._:/-]+$',
    description: "The controller's own opaque reference: at most 64 letters, digits and -_.:/ (never the person's name, email or phone number).",
  }),
  incidentSummary: text(1, 500, { multiline: true }),
  instructionSummary: text(1, 2000, { multiline: true }),
  transferDestination: text(1, 200),
  documentRef: text(1, 100, { pattern: '^[\\x20-\\x7e]*[\\x21-\\x7e][\\x20-\\x7e]*$', description: 'Where the instruction is written down (a ticket, a letter, a signed order): printable ASCII.' }),
  incidentText: text(1, 4000, { multiline: true }),
  // What an assistance request asks and what was provided (P9): the processing concerned, never a person.
  assistanceText: text(1, 2000, { multiline: true }),
  // DESIGN §3.8: a sub-processor and the location it adds (its id names a folder: a slug).
  subProcessorName: text(1, 200),
  subProcessorText: text(1, 500),
  country: text(1, 100),
  newLocationId: text(1, 64, { pattern: '^[a-z0-9][a-z0-9-]*$', description: 'Lowercase letters, digits and -: it names the location everywhere, a folder too.' }),
  phone: text(3, 40, { pattern: '^[0-9+(). -]+$', description: 'Digits, spaces and + ( ) . -' }),
  // DESIGN §8: a controller's preferences.
  timeZone: text(1, 64, { pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$', description: 'An IANA time zone, e.g. Europe/Paris.' }),
  webhookUrl: text(8, 2000, { pattern: '^https?://[\\x21-\\x7e]+$', description: 'Where events out are POSTed: an http(s) URL, https in production.' }),
  stripeCustomerId: text(5, 100, { pattern: '^cus_[A-Za-z0-9]+$', description: "The controller's customer in Stripe (cus_…)." }),
} as const satisfies Record<string, TextField>;

export type FieldName = keyof typeof FIELDS;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/u;
// eslint-disable-next-line no-control-regex -- the same, line breaks (LF, CR) allowed
const CONTROL_BUT_LF = /[\u0000-\u0009\u000B\u000C\u000E-\u001F\u007F-\u009F]/u;
/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): a name or a
 * reason holding one can display as something it is not ("Trojan Source"). They are refused.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The pattern every text field also obeys, for JSON Schema: no control or bidi-control characters. */
export function textPattern(field: TextField): string {
  return field.multiline ? '^[^\\u0000-\\u0009\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$' : '^[^\\u0000-\\u001F\\u007F-\\u009F\\u202A-\\u202E\\u2066-\\u2069]*$';
}

/** Unicode code points in `s`, as JSON Schema and PostgreSQL count characters. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export type TextProblem = 'not_text' | 'empty' | 'too_short' | 'too_long' | 'control_character' | 'bidi_control' | 'broken_unicode' | 'pattern';

/** What is wrong with `value` as this field, or null. Never quotes the value (it may be personal data). */
export function textProblem(value: unknown, field: TextField): TextProblem | null {
  if (typeof value !== 'string') return 'not_text';
  if (value.trim() === '') return 'empty';
  if (LONE_SURROGATE.test(value)) return 'broken_unicode';
  if ((field.multiline ? CONTROL_BUT_LF : CONTROL).test(value)) return 'control_character';
  if (BIDI_CONTROL.test(value)) return 'bidi_control';
  const length = codePoints(value);
  if (length < field.minLength) return 'too_short';
  if (length > field.maxLength) return 'too_long';
  if (field.pattern && !new RegExp(field.pattern, 'u').test(value)) return 'pattern';
  return null;
}

export const TEXT_PROBLEMS: Record<TextProblem, (field: string, def: TextField) => string> = {
  not_text: (f) => `${f} must be a text`,
  empty: (f) => `${f} must not be empty`,
  too_short: (f, d) => `${f} must be at least ${d.minLength} characters`,
  too_long: (f, d) => `${f} must be at most ${d.maxLength} characters`,
  control_character: (f, d) => `${f} must not contain control characters${d.multiline ? ' (line breaks are allowed)' : ''}`,
  bidi_control: (f) => `${f} must not contain bidirectional control characters`,
  broken_unicode: (f) => `${f} must be valid Unicode`,
  pattern: (f, d) => `${f} must match its grammar${d.description ? `: ${d.description}` : ''}`,
};

/** The grammar of an id the engine makes (contracts, credentials, keys): a UUID, any case on input. */
/** An email address as the engine takes one: something@somewhere.tld, no white space. */
export const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** A UUID in the form the engine stores and names streams by: lowercase. */
export const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const UUID_TEXT = new RegExp(UUID_PATTERN);

/** True when `value` is a UUID as the API takes one (any case). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID_TEXT.test(value);
