export type DomainErrorKind = 'validation' | 'conflict' | 'rule' | 'not_found';

export const DOMAIN_ERROR_KINDS: readonly DomainErrorKind[] = ['validation', 'conflict', 'rule', 'not_found'];

/** The plain shape of a domain error, as it survives JSON or a Temporal failure. */
export interface DomainErrorShape {
  readonly name: 'DomainError';
  readonly code: string;
  readonly kind: DomainErrorKind;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface DomainErrorInit {
  readonly code: string;
  readonly kind: DomainErrorKind;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/**
 * A refusal with a meaning: `validation` (malformed input), `conflict` (wrong state for the
 * command), `rule` (well-formed but refused by a rule), `not_found`. Messages and details
 * carry instants, ids and codes only, never personal data or secrets.
 */
export class DomainError extends Error implements DomainErrorShape {
  override readonly name = 'DomainError' as const;
  readonly code: string;
  readonly kind: DomainErrorKind;
  declare readonly details?: Record<string, unknown>;

  constructor(init: DomainErrorInit) {
    super(init.message);
    this.code = init.code;
    this.kind = init.kind;
    if (init.details !== undefined) this.details = init.details;
  }

  toJSON(): DomainErrorShape {
    return {
      name: this.name,
      code: this.code,
      kind: this.kind,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export function isDomainError(e: unknown): e is DomainErrorShape {
  if (typeof e !== 'object' || e === null) return false;
  const candidate = e as Record<string, unknown>;
  return (
    candidate['name'] === 'DomainError' &&
    typeof candidate['code'] === 'string' &&
    DOMAIN_ERROR_KINDS.includes(candidate['kind'] as DomainErrorKind)
  );
}

export function domainErrorFrom(init: DomainErrorInit): DomainError {
  return new DomainError(init);
}

export const validationError = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError({ code, kind: 'validation', message, details });

export const conflictError = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError({ code, kind: 'conflict', message, details });

export const ruleError = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError({ code, kind: 'rule', message, details });

export const notFoundError = (code: string, message: string, details?: Record<string, unknown>): DomainError =>
  new DomainError({ code, kind: 'not_found', message, details });

/** Exhaustiveness check for `switch` over a union. */
export function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
