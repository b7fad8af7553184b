import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldProblem } from './api-error';

function problems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((problem) => ({ field, problem }));
    return [...own, ...problems(e.children ?? [], field)];
  });
}

/** Unknown fields are refused, types converted; every field problem is listed in `details.fields`. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = problems(errors);
      return new ApiError(400, 'validation_failed', `The request is invalid: ${fields.map((d) => `${d.field}: ${d.problem}`).join('; ')}`, { fields });
    },
  });
}
