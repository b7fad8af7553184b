import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export const GENESIS_HASH = '0'.repeat(64);

/** What the chain protects of an event: everything but its position and recording time. */
export interface HashedFields {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly occurredAt: string;
  readonly data: unknown;
  readonly metadata: unknown;
}

/**
 * sha256 over the previous hash and the RFC 8785 (JCS) canonical form of the event, so the
 * same event hashes the same after a jsonb round trip, and any change breaks every later link.
 */
export function chainHash(prevHash: string, fields: HashedFields): string {
  const canonical = canonicalize({ ...fields, prevHash });
  if (canonical === undefined) throw new Error('event cannot be canonicalised');
  return createHash('sha256').update(canonical).digest('hex');
}
