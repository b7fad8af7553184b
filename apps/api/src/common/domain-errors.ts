import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { status as grpcStatus } from '@grpc/grpc-js';
import { isDomainError, type DomainErrorKind } from '#domain';
import { DOMAIN_FAILURE, type DomainFailureDetails } from '#infra/temporal/messages';
import { ApiError, type ErrorDetails } from './api-error';

const STATUS: Record<DomainErrorKind, number> = { validation: 400, not_found: 404, conflict: 409, rule: 422 };

/** The HTTP edge turns the domain's meanings into status codes; nothing else does. */
export function fromDomain(kind: DomainErrorKind, code: string, message: string, details?: ErrorDetails): ApiError {
  return new ApiError(STATUS[kind], code, message, details);
}

/** A domain refusal thrown locally or carried back from a workflow update, as an ApiError; null otherwise. */
export function domainRefusal(e: unknown): ApiError | null {
  if (isDomainError(e)) return fromDomain(e.kind, e.code, e.message, e.details);
  const cause = e instanceof WorkflowUpdateFailedError ? e.cause : null;
  if (cause instanceof ApplicationFailure && cause.type === DOMAIN_FAILURE) {
    const [details] = cause.details as DomainFailureDetails[];
    if (details) return fromDomain(details.kind, details.code, cause.message, details.details);
  }
  return null;
}

/** The workflow an update was sent to has finished (or was never started). */
export function isWorkflowGone(e: unknown): boolean {
  if (e instanceof WorkflowNotFoundError) return true;
  if (isGrpcServiceError(e) && e.code === grpcStatus.NOT_FOUND) return true;
  const cause = (e as { cause?: unknown })?.cause;
  return cause !== undefined && cause !== e && isWorkflowGone(cause);
}

export function temporalUnavailable(e: unknown): ApiError | null {
  if (isGrpcServiceError(e) && [grpcStatus.UNAVAILABLE, grpcStatus.DEADLINE_EXCEEDED].includes(e.code)) {
    return new ApiError(503, 'temporal_unavailable', 'The workflow service is unavailable; retry later (the request changed nothing).');
  }
  return null;
}
