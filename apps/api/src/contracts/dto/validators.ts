import { applyDecorators } from '@nestjs/common';
import { Matches, MaxLength } from 'class-validator';
import { InstantRule } from '../../common/fields';

const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** An ISO-8601 instant with its zone (`2027-01-31T00:00:00Z`) that exists on the calendar; the domain normalises it. */
export const IsInstant = () => applyDecorators(MaxLength(40), InstantRule());

/** An ISO-8601 duration (`P1M`, `P1Y`, `P14D`, `PT12H`). */
export const IsDuration = () =>
  applyDecorators(MaxLength(40), Matches(DURATION, { message: '$property must be an ISO-8601 duration, e.g. P1M, P1Y, P14D' }));
