import { z } from 'zod';
import { DURATION_PATTERN, INSTANT_PATTERN, isCalendarInstant, isDurationText, MAX_TIME_TEXT } from '../calendar';
import { EMAIL_SHAPE, FIELDS, TEXT_PROBLEMS, textPattern, textProblem, UUID_PATTERN, isUuid, type FieldName } from '../fields';

/*
 * The fields a command's schema is made of: each holds the domain's own rule (fields.ts,
 * calendar.ts), so validation, the OpenAPI document, the browser's form and the fuzz generator all
 * read one definition. A problem's message names the field as `{field}`; the edge puts its path
 * there (never the value: it may be personal data).
 */

/** The placeholder a field's message names the field by. */
export const FIELD = '{field}';

/** A text of FIELDS: its grammar and limits (code points), documented as they are checked. */
export function text(name: FieldName, doc: { readonly description?: string; readonly example?: string } = {}) {
  const def = FIELDS[name];
  return z
    .string({ error: `${FIELD} must be a text` })
    .superRefine((value, ctx) => {
      const problem = textProblem(value, def);
      if (problem) ctx.addIssue({ code: 'custom', message: TEXT_PROBLEMS[problem](FIELD, def) });
    })
    .meta({
      minLength: def.minLength,
      maxLength: def.maxLength,
      pattern: 'pattern' in def ? def.pattern : textPattern(def),
      ...('description' in def && !doc.description ? { description: def.description } : {}),
      ...(doc.description ? { description: doc.description } : {}),
      ...(doc.example ? { example: doc.example } : {}),
    });
}

/** An email address: a text of FIELDS.email with the shape the domain requires of one (requireEmail). */
export function email(doc: { readonly description?: string; readonly example?: string } = {}) {
  return text('email', doc)
    .refine((v) => EMAIL_SHAPE.test(v.trim()), { message: `${FIELD} must be an email address` })
    .meta({ format: 'email' });
}

/** An instant that exists on the calendar (calendar.ts), with Z or an offset. */
export function instant(doc: { readonly description?: string; readonly example?: string } = {}) {
  return z
    .string({ error: `${FIELD} must be an ISO-8601 instant` })
    .refine(isCalendarInstant, { message: `${FIELD} must be an ISO-8601 instant that exists, with Z or an offset up to ±14:00, e.g. 2027-01-31T00:00:00Z` })
    .meta({ format: 'date-time', pattern: INSTANT_PATTERN, maxLength: MAX_TIME_TEXT, ...doc });
}

/** An ISO-8601 duration the calendar reads. */
export function duration(doc: { readonly description?: string; readonly example?: string } = {}) {
  return z
    .string({ error: `${FIELD} must be an ISO-8601 duration` })
    .refine(isDurationText, { message: `${FIELD} must be an ISO-8601 duration, e.g. P1M, P1Y, P14D` })
    .meta({ format: 'duration', pattern: DURATION_PATTERN, maxLength: MAX_TIME_TEXT, ...doc });
}

/** An id the engine made: a UUID, any case (read in lowercase). */
export function id(doc: { readonly description?: string } = {}) {
  return z
    .string({ error: `${FIELD} must be a UUID` })
    .refine(isUuid, { message: `${FIELD} must be a UUID` })
    .transform((v) => v.toLowerCase())
    .meta({ format: 'uuid', pattern: UUID_PATTERN, ...doc });
}

/** One of a fixed list of values. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, doc: { readonly description?: string } = {}) {
  return z.enum(values, { error: `${FIELD} must be one of the following values: ${values.join(', ')}` }).meta(doc);
}

/** A command's body: exactly these fields, no others (an unknown field is a 400, as the document says). */
export const body = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape);

export type Body<T extends z.ZodType> = z.output<T>;

/** One problem of a body, as the edge lists it (`details.fields`). */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** Every problem of `input` against `schema`, or the parsed value; never quotes a value. */
export function parseBody<T extends z.ZodType>(schema: T, input: unknown): { ok: true; value: z.output<T> } | { ok: false; problems: FieldProblem[] } {
  // The input rides on each issue only to tell a missing field from a wrong one; no message quotes it.
  const parsed = schema.safeParse(input, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.flatMap((issue): FieldProblem[] => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: at ? `${at}.${key}` : key, problem: `property ${at ? `${at}.${key}` : key} should not exist` }));
    const field = at || 'body';
    if (issue.code === 'invalid_type' && issue.input === undefined) return [{ field, problem: `${field} is required` }];
    if (issue.code === 'invalid_type' && field === 'body') return [{ field, problem: 'the body must be a JSON object' }];
    const message = issue.message.includes(FIELD) ? issue.message.split(FIELD).join(field) : `${field}: ${issue.message}`;
    return [{ field, problem: message }];
  });
  return { ok: false, problems };
}

/** The OpenAPI 3.0 schema of a body or a view, as the document carries it. */
export const openApiSchemaOf = (schema: z.ZodType): Record<string, unknown> => z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;

/** An instant in a view (what the engine answers, already canonical), as the document describes it. */
export const at = (description?: string) => z.string().meta({ format: 'date-time', ...(description ? { description } : {}) });
