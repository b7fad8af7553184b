/**
 * The DESIGN §6 error body: {"error": {"code", "message", "details"?}}. `details`, when present,
 * is always an object: `fields` lists each field problem of a 400, a rule's refusal carries the
 * rule's data, `/health` names what is `down`.
 */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: ErrorDetails };
}

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** An error the HTTP edge answers as it is: status, stable code, human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details === undefined ? {} : { details: this.details }) } };
  }
}
