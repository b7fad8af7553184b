import { ApplicationFailure } from '@temporalio/common';
import { StorageError } from '../storage/storage-adapter';

/*
 * How an adapter's error becomes an activity's failure: whether Temporal retries it or gives up at
 * once. Shared by every activity that writes to PostgreSQL or touches a storage location.
 */

/**
 * PostgreSQL refusing the data itself (SQLSTATE classes 22 and 23: bad value, constraint) will
 * refuse it again on every retry: fail at once, with the code only (messages may quote values).
 * Anything else — the server down, a connection reset — is retried.
 */
export function databaseFailure(e: unknown): never {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) {
    throw ApplicationFailure.nonRetryable(`the database refused the write (SQLSTATE ${code})`, 'DatabaseRefusal', { code });
  }
  throw e;
}

export function storageFailure(e: unknown): never {
  if (e instanceof StorageError) throw ApplicationFailure.retryable(e.message, e.code);
  throw e;
}
