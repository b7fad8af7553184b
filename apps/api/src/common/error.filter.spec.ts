import { ServiceError } from '@temporalio/client';
import { NamespaceNotFoundError } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApiError } from './error.filter';

const grpcError = (code: number) => Object.assign(new Error(`${code} grpc`), { code, details: 'x', metadata: {} });

describe('toApiError: Temporal unable to answer is a 503 to retry, never a 500', () => {
  it('maps an unknown namespace and an unavailable or timed-out Temporal to 503, anything else unknown to 500', () => {
    expect(toApiError(new NamespaceNotFoundError('default'))).toMatchObject({ status: 503, code: 'temporal.namespace_not_found' });
    expect(toApiError(new ServiceError('failed', { cause: grpcError(14) }))).toMatchObject({ status: 503, code: 'temporal.unavailable' });
    expect(toApiError(grpcError(4))).toMatchObject({ status: 503, code: 'temporal.unavailable' });
    expect(toApiError(new ServiceError('failed', { cause: grpcError(13) }))).toMatchObject({ status: 500, code: 'internal_error' });
    expect(toApiError(new Error('boom'))).toMatchObject({ status: 500 });
  });
});
