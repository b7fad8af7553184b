/**
 * An event's shapes: as an append gives it, as an `events` row holds it, as a read returns it; and
 * what an append or a chain check answers.
 */

export interface NewEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly occurredAt: string;
  readonly metadata?: Record<string, unknown>;
}

export interface RecordedEvent {
  readonly position: string;
  readonly eventId: string;
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

export interface AppendResult {
  /** The stream's version after the append. */
  readonly version: number;
  /** True when the same events were already stored (a retried append): nothing was written. */
  readonly duplicate: boolean;
}

export type VerifyResult = { valid: true; events: number } | { valid: false; brokenAt: number; reason: string };

/** An `events` row as node-postgres returns it. */
export interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurred_at: Date;
  recorded_at: Date;
  prev_hash: string;
  hash: string;
}

export const EVENT_COLUMNS = `position::text AS position, event_id, stream_id, version, type, schema_version, data, metadata, occurred_at, recorded_at, prev_hash, hash`;

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    position: row.position,
    eventId: row.event_id,
    streamId: row.stream_id,
    version: row.version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    occurredAt: row.occurred_at.toISOString(),
    recordedAt: row.recorded_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export const eventId = (streamId: string, version: number) => `${streamId}:${version}`;

/** An `events` row about to be inserted: the database adds its position and recording time. */
export type EventInsert = Readonly<Omit<EventRow, 'position' | 'occurred_at' | 'recorded_at'> & { occurred_at: string }>;
