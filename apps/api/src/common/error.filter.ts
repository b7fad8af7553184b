import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { isGrpcServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { type Response } from 'express';
import { ApiError } from './api-error';
import { MAX_JSON_DEPTH } from './edge';

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'too_many_requests',
  503: 'unavailable',
};

/** Turns every error into the DESIGN §6 shape. Unknown errors are logged by class, never by content. */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const error = toApiError(exception);
    if (error.status >= 500) {
      // The class and a driver code (e.g. a SQLSTATE) say what failed; messages may quote data, so they stay out.
      const driverCode = (exception as { code?: unknown })?.code;
      this.logger.error(
        { err: { type: (exception as Error)?.constructor?.name, code: error.code, ...(typeof driverCode === 'string' && driverCode.length <= 40 ? { driverCode } : {}) } },
        'request failed',
      );
    }
    response.status(error.status).json(error.body());
  }
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const message = status === 404 ? 'No such resource.' : exception.message;
    return new ApiError(status, STATUS_CODES[status] ?? 'error', message);
  }
  // Errors raised by express' body parser before Nest routes the request.
  const bodyError = exception as { type?: string; status?: number };
  if (bodyError?.type === 'entity.parse.failed') return new ApiError(400, 'malformed_json', 'The request body is not valid JSON.');
  if (bodyError?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'The request body is too large.');
  if (bodyError?.type === 'entity.too.deep') return new ApiError(400, 'json_too_deep', `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`);
  if (bodyError?.type === 'encoding.unsupported' || bodyError?.type === 'charset.unsupported') return new ApiError(415, 'unsupported_media_type', 'The request body must be UTF-8 JSON.');
  if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return new ApiError(bodyError.status, STATUS_CODES[bodyError.status] ?? 'bad_request', 'The request cannot be read.');
  }
  // Temporal not able to answer now (a cluster still forming, a frontend restarting): the command changed nothing; retry it.
  if (exception instanceof NamespaceNotFoundError) {
    return new ApiError(503, 'temporal.namespace_not_found', 'Temporal does not know the namespace (yet): retry shortly, with the same Idempotency-Key.');
  }
  const cause = (exception as { cause?: unknown })?.cause;
  const grpc = isGrpcServiceError(exception) ? exception : isGrpcServiceError(cause) ? cause : null;
  if (grpc && (grpc.code === 14 || grpc.code === 4)) {
    return new ApiError(503, 'temporal.unavailable', 'Temporal is not answering: retry shortly, with the same Idempotency-Key.');
  }
  return new ApiError(500, 'internal_error', 'An unexpected error occurred; it has been logged.');
}
