import { EventStoreError } from './errors';
import { type NewEvent } from './events';

/**
 * What an append's events must be before anything is written: a known stream type and event type,
 * the current schema version, an instant, a JSON object, and a bounded size.
 */

/** Checks events before they are written: known type, current schema version. */
export interface StreamSchema {
  readonly streamType: string;
  /** Event type → the schema version new events must be written with. */
  readonly eventVersions: Readonly<Record<string, number>>;
  /** Stream ids of this type must match (contract streams are named by the contract's UUID). */
  readonly streamIdPattern?: RegExp;
}

export const MAX_EVENT_BYTES = 64 * 1024;
const MAX_BATCH = 100;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

/** Refuses bad input; returns the events' payload size in bytes. */
export function validateAppend(
  schemas: ReadonlyMap<string, StreamSchema>,
  streamType: string,
  streamId: string,
  expectedVersion: number,
  events: readonly NewEvent[],
): number {
  const schema = schemas.get(streamType);
  if (!schema) throw new EventStoreError('event_store.unknown_stream_type', `unknown stream type ${streamType}`);
  if (!streamId || streamId.length > 200 || (schema.streamIdPattern && !schema.streamIdPattern.test(streamId))) {
    throw new EventStoreError('event_store.invalid_stream', `not a valid ${streamType} stream id`);
  }
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
    throw new EventStoreError('event_store.invalid_version', 'the expected version must be a whole number ≥ 0');
  }
  if (events.length === 0 || events.length > MAX_BATCH) {
    throw new EventStoreError('event_store.invalid_batch', `an append holds 1 to ${MAX_BATCH} events`);
  }
  let total = 0;
  for (const [i, e] of events.entries()) {
    const current = schema.eventVersions[e.type];
    if (current === undefined) {
      throw new EventStoreError('event_store.unknown_event_type', `event ${i + 1}: unknown ${streamType} event type`, { index: i, type: String(e.type).slice(0, 100) });
    }
    if (e.schemaVersion !== current) {
      throw new EventStoreError('event_store.wrong_schema_version', `event ${i + 1}: ${e.type} is written with schema version ${current}, not ${e.schemaVersion}`, { index: i });
    }
    if (typeof e.occurredAt !== 'string' || !INSTANT.test(e.occurredAt) || Number.isNaN(Date.parse(e.occurredAt))) {
      throw new EventStoreError('event_store.invalid_event', `event ${i + 1}: occurredAt must be an ISO-8601 instant`, { index: i });
    }
    if (e.data === null || typeof e.data !== 'object' || Array.isArray(e.data)) {
      throw new EventStoreError('event_store.invalid_event', `event ${i + 1}: data must be a JSON object`, { index: i });
    }
    const bytes = Buffer.byteLength(JSON.stringify({ data: e.data, metadata: e.metadata ?? {} }));
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventStoreError('event_store.payload_too_large', `event ${i + 1}: ${bytes} bytes exceeds the ${MAX_EVENT_BYTES}-byte limit`, { index: i, bytes });
    }
    total += bytes;
  }
  return total;
}
