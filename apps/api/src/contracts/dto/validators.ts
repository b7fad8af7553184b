import { applyDecorators } from '@nestjs/common';
import { Matches, MaxLength } from 'class-validator';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;

/** A UTC ISO-8601 instant with its zone (`2027-01-31T00:00:00Z`); the domain normalises it. */
export const IsInstant = () =>
  applyDecorators(MaxLength(40), Matches(INSTANT, { message: '$property must be an ISO-8601 date-time with a zone, e.g. 2027-01-31T00:00:00Z' }));

/** An ISO-8601 duration (`P1M`, `P1Y`, `P14D`, `PT12H`). */
export const IsDuration = () =>
  applyDecorators(MaxLength(40), Matches(DURATION, { message: '$property must be an ISO-8601 duration, e.g. P1M, P1Y, P14D' }));
