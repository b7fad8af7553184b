import { eventId, type EventInsert, type NewEvent } from './events';
import { chainHash } from './hash';
import { projectionHandles, type InlineProjection, type StreamState } from './inline-projection';
import { type StreamHead } from './stream-head';

/**
 * The append's write: its events hashed into the chain and its state folded, then one statement
 * (a few shapes, each a named prepared statement) that moves the heads, inserts the events and writes
 * the read models of a whole group of appends.
 */

/** An append whose events are hashed and whose read-model state is folded, ready to be written. */
export interface PreparedAppend {
  readonly streamType: string;
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly prevHash: string;
  /** The stream's version and last hash after the append. */
  readonly version: number;
  readonly hash: string;
  readonly rows: readonly EventInsert[];
  /** The size of the events' data and metadata as JSON. */
  readonly bytes: number;
  readonly state: unknown;
  readonly previous: unknown;
  /** The read models were behind the stream: every one of them is written, whatever the events. */
  readonly catchingUp: boolean;
}

/** A statement with its parameters, as node-postgres takes it. */
export interface AppendStatement {
  text: string;
  values: unknown[];
}

/** The events hashed onto `head`, and the state folded over them: an append ready to be written. */
export function prepareAppend(head: StreamHead, streamId: string, events: readonly NewEvent[], bytes: number, projection: StreamState | undefined): PreparedAppend {
  const { streamType, version: expectedVersion, hash: prevHash } = head;
  let hash = prevHash;
  const rows = events.map((event, i): EventInsert => {
    const v = expectedVersion + i + 1;
    const id = eventId(streamId, v);
    const metadata = event.metadata ?? {};
    const occurredAt = new Date(event.occurredAt).toISOString();
    const prev = hash;
    hash = chainHash(prev, { streamId, version: v, eventId: id, type: event.type, schemaVersion: event.schemaVersion, occurredAt, data: event.data, metadata });
    return { event_id: id, stream_id: streamId, version: v, type: event.type, schema_version: event.schemaVersion, data: event.data, metadata, occurred_at: occurredAt, prev_hash: prev, hash };
  });
  const state = projection ? projection.fold(head.state, rows.map((r) => ({ version: r.version, type: r.type, schemaVersion: r.schema_version, data: r.data }))) : null;
  return { streamType, streamId, expectedVersion, prevHash, version: expectedVersion + events.length, hash, rows, bytes, state, previous: 'projected' in head ? head.projected : head.state, catchingUp: 'projected' in head };
}

/**
 * One statement for the whole group, returning the streams whose append went ahead. Each
 * stream's head row is its lock: the UPDATE (or the INSERT of a new stream) matches only if no
 * one moved the stream since its head was read, and the events and read models of a stream
 * whose head did not match are not written. A stream's events are all written or the statement
 * fails: there is no partial append.
 */
export function appendStatement(batch: readonly PreparedAppend[], projections: ReadonlyMap<string, readonly InlineProjection[]>): AppendStatement {
  const streamType = batch[0]!.streamType;
  // A consistent order of row locks between concurrent groups: code-point order here and in SQL
  // (COLLATE "C"); a deadlock nonetheless is retried member by member.
  const sorted = [...batch].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
  const created = sorted.filter((a) => a.expectedVersion === 0);
  const moved = sorted.filter((a) => a.expectedVersion > 0);
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  // Statement shapes differ only by which parts are present, so a few prepared statements serve every group.
  const ctes: string[] = [];
  if (created.length) {
    ctes.push(`created AS (INSERT INTO streams (stream_id, stream_type, version, last_hash)
         SELECT x.stream_id, ${param(streamType)}, x.version, x.last_hash
         FROM jsonb_to_recordset(${param(JSON.stringify(created.map((a) => ({ stream_id: a.streamId, version: a.version, last_hash: a.hash }))))}::jsonb)
           AS x(stream_id text, version int, last_hash text)
         ORDER BY x.stream_id COLLATE "C"
         ON CONFLICT (stream_id) DO NOTHING RETURNING stream_id)`);
  }
  if (moved.length) {
    const heads = moved.map((a) => ({ stream_id: a.streamId, expected_version: a.expectedVersion, expected_hash: a.prevHash, version: a.version, last_hash: a.hash }));
    ctes.push(`moved AS (UPDATE streams s SET version = i.version, last_hash = i.last_hash, updated_at = now()
         FROM jsonb_to_recordset(${param(JSON.stringify(heads))}::jsonb) AS i(stream_id text, expected_version int, expected_hash text, version int, last_hash text)
         WHERE s.stream_id = ANY(${param(moved.map((a) => a.streamId))}::text[])
           AND s.stream_id = i.stream_id AND s.version = i.expected_version AND s.last_hash = i.expected_hash
         RETURNING s.stream_id)`);
  }
  ctes.push(
    `appended AS (${[created.length ? 'SELECT stream_id FROM created' : '', moved.length ? 'SELECT stream_id FROM moved' : ''].filter(Boolean).join(' UNION ALL ')})`,
    `inserted AS (INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata, occurred_at, prev_hash, hash)
         SELECT x.event_id, x.stream_id, x.version, x.type, x.schema_version, x.data, x.metadata, x.occurred_at, x.prev_hash, x.hash
         FROM jsonb_to_recordset(${param(JSON.stringify(batch.flatMap((a) => a.rows).map((r, seq) => ({ ...r, seq }))))}::jsonb)
           AS x(seq int, event_id text, stream_id text, version int, type text, schema_version int,
                data jsonb, metadata jsonb, occurred_at timestamptz, prev_hash text, hash text)
         WHERE x.stream_id IN (SELECT stream_id FROM appended) ORDER BY x.seq)`,
  );
  for (const projection of projections.get(streamType) ?? []) {
    const writes = sorted
      .filter((a) => a.catchingUp || projectionHandles(projection, a.rows.map((r) => r.type)))
      .map((a) => ({ streamId: a.streamId, state: a.state, version: a.version, previous: a.previous }));
    if (writes.length) ctes.push(...projection.writeCtes(writes, { param, appended: 'appended' }));
  }
  return { text: `WITH ${ctes.join(',\n')} SELECT stream_id FROM appended`, values: params };
}

