import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, ValidateBy } from 'class-validator';
import {
  DURATION_PATTERN,
  FIELDS,
  INSTANT_PATTERN,
  isCalendarInstant,
  isDurationText,
  isUuid,
  MAX_TIME_TEXT,
  TEXT_PROBLEMS,
  textPattern,
  textProblem,
  UUID_PATTERN,
  type FieldName,
} from '#domain';

/** One grammar for a text field: the domain's (libs/domain/src/fields.ts), checked and documented as it says. */
const TextRule = (name: FieldName) =>
  ValidateBy({
    name: `text:${name}`,
    validator: {
      validate: (value) => textProblem(value, FIELDS[name]) === null,
      defaultMessage: (args) => {
        const problem = textProblem(args?.value, FIELDS[name]) ?? 'not_text';
        return TEXT_PROBLEMS[problem](args?.property ?? name, FIELDS[name]);
      },
    },
  });

function schemaOf(name: FieldName): ApiPropertyOptions {
  const def = FIELDS[name];
  // A field with its own grammar (printable ASCII) excludes every control character already.
  const pattern = 'pattern' in def ? def.pattern : textPattern(def);
  return { type: String, minLength: def.minLength, maxLength: def.maxLength, pattern, ...('description' in def ? { description: def.description } : {}) };
}

/** A required text field of FIELDS: validated and documented with the domain's limits (code points). */
export const Text = (name: FieldName, doc: ApiPropertyOptions = {}) => applyDecorators(ApiProperty({ ...schemaOf(name), ...doc } as ApiPropertyOptions), TextRule(name));

export const OptionalText = (name: FieldName, doc: ApiPropertyOptions = {}) =>
  applyDecorators(ApiPropertyOptional({ ...schemaOf(name), ...doc } as ApiPropertyOptions), IsOptional(), TextRule(name));

/** An email: the text rules of FIELDS.email, and the shape of an address. */
export const Email = (doc: ApiPropertyOptions = {}, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ ...schemaOf('email'), format: 'email', ...doc } as ApiPropertyOptions),
    ...(optional ? [IsOptional()] : []),
    TextRule('email'),
    IsEmail(),
  );

/** An instant that exists on the calendar (the domain's isCalendarInstant), as the API takes it. */
const InstantRule = () =>
  ValidateBy({
    name: 'instant',
    validator: {
      validate: (value) => isCalendarInstant(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an ISO-8601 instant that exists, with Z or an offset up to ±14:00, e.g. 2027-01-31T00:00:00Z`,
    },
  });

/** A duration the domain reads (calendar.ts), as the API takes it. */
const DurationRule = () =>
  ValidateBy({
    name: 'duration',
    validator: {
      validate: (value) => isDurationText(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an ISO-8601 duration, e.g. P1M, P1Y, P14D`,
    },
  });

const timeText = (pattern: string, format: string | undefined): ApiPropertyOptions => ({ type: String, maxLength: MAX_TIME_TEXT, pattern, ...(format ? { format } : {}) });

/** An instant field (body or query): validated by the domain's rule, documented with its grammar. */
export const Instant = (doc: ApiPropertyOptions = {}, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ ...timeText(INSTANT_PATTERN, 'date-time'), ...doc } as ApiPropertyOptions),
    ...(optional ? [IsOptional()] : []),
    InstantRule(),
  );

/** A duration field: validated by the domain's rule, documented with its grammar. */
export const Duration = (doc: ApiPropertyOptions = {}, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ ...timeText(DURATION_PATTERN, 'duration'), ...doc } as ApiPropertyOptions),
    ...(optional ? [IsOptional()] : []),
    DurationRule(),
  );

/** An id the engine made (a UUID): the domain's grammar, validated and documented. */
export const Id = (doc: ApiPropertyOptions = {}, optional = false) =>
  applyDecorators(
    (optional ? ApiPropertyOptional : ApiProperty)({ type: String, format: 'uuid', pattern: UUID_PATTERN, ...doc } as ApiPropertyOptions),
    ...(optional ? [IsOptional()] : []),
    ValidateBy({ name: 'uuid', validator: { validate: (value) => isUuid(value), defaultMessage: (args) => `${args?.property ?? 'value'} must be a UUID` } }),
  );

/** The documentation of a path parameter that is an id. */
export const idParamSchema = { type: 'string', format: 'uuid', pattern: UUID_PATTERN } as const;

/** The documentation of a path parameter that is a text field of FIELDS. */
export const textParamSchema = (name: FieldName) => {
  const def = FIELDS[name];
  return { type: 'string', minLength: def.minLength, maxLength: def.maxLength, pattern: 'pattern' in def ? def.pattern : textPattern(def) } as const;
};

const DIGITS = /^[0-9]{1,9}$/;

/** A whole number in a query string: plain decimal digits only (no `1e2`, `0x10`, `+5` or spaces). */
export const QueryInteger = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN));
