import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, ValidateBy } from 'class-validator';
import { FIELDS, isCalendarInstant, TEXT_PROBLEMS, textPattern, textProblem, type FieldName } from '../../../../libs/domain/src';

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
export const InstantRule = () =>
  ValidateBy({
    name: 'instant',
    validator: {
      validate: (value) => isCalendarInstant(value),
      defaultMessage: (args) => `${args?.property ?? 'value'} must be an ISO-8601 instant that exists, with Z or an offset up to ±14:00, e.g. 2027-01-31T00:00:00Z`,
    },
  });

const DIGITS = /^[0-9]{1,9}$/;

/** A whole number in a query string: plain decimal digits only (no `1e2`, `0x10`, `+5` or spaces). */
export const QueryInteger = () => Transform(({ value }: { value: unknown }) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : typeof value === 'number' ? value : Number.NaN));
