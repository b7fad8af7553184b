import { createParamDecorator, type ExecutionContext, type PipeTransform, ValidationPipe, type ValidationError } from '@nestjs/common';
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

/**
 * The body of a command that takes none: absent, or an empty object. Anything else is refused as
 * every other route refuses unknown fields (400 validation_failed), and the command does not run.
 */
export class NoBodyPipe implements PipeTransform<unknown, undefined> {
  transform(value: unknown): undefined {
    if (value === undefined) return undefined;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const fields = Object.keys(value).map((field) => ({ field, problem: `property ${field} should not exist` }));
      if (fields.length === 0) return undefined;
      throw new ApiError(400, 'validation_failed', `The request is invalid: this command takes no body; ${fields.map((d) => d.problem).join('; ')}`, { fields });
    }
    throw new ApiError(400, 'validation_failed', 'The request is invalid: this command takes no body', { fields: [{ field: '', problem: 'this command takes no body' }] });
  }
}

/**
 * `@NoBody()`: the route's command takes no body (NoBodyPipe), checked before it runs. A parameter
 * decorator of its own rather than `@Body(pipe)`, so that the OpenAPI document shows no body either.
 */
export const NoBody = createParamDecorator((_: unknown, ctx: ExecutionContext): undefined => new NoBodyPipe().transform(ctx.switchToHttp().getRequest<{ body?: unknown }>().body));
