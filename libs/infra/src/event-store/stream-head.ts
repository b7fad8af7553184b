import { type DataSource } from 'typeorm';
import { EventStoreError } from './errors';
import { GENESIS_HASH } from './hash';
import { type StreamState } from './inline-projection';

/**
 * A stream's head (version, last hash and state) as an append checks against it: read from the
 * database, or kept in a small in-process cache when this process wrote the stream last.
 */

export interface StreamHead {
  readonly streamType: string;
  readonly version: number;
  readonly hash: string;
  /** The stream type's state at `version` (StreamState), if it has one. */
  readonly state: unknown;
  /**
   * What the read-model rows hold when they fell behind the stream (`state` is then folded from
   * the events they lack): the next append writes them from there, so they catch up by themselves.
   */
  readonly projected?: unknown;
}

/** Recently written stream heads: a stale one only costs a re-read. */
export class HeadCache {
  /** Least recently used first. */
  private readonly heads = new Map<string, StreamHead>();

  constructor(private readonly size: number) {}

  get(streamId: string): StreamHead | undefined {
    return this.heads.get(streamId);
  }

  forget(streamId: string): void {
    this.heads.delete(streamId);
  }

  remember(streamId: string, head: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.size) this.heads.delete(this.heads.keys().next().value!);
  }
}

export async function readHead(db: DataSource, states: ReadonlyMap<string, StreamState>, streamType: string, streamId: string): Promise<StreamHead> {
  const projection = states.get(streamType);
  const [row] = (await db.query(
    `SELECT s.stream_type, s.version, s.last_hash${projection ? ', p.state, p.version AS projected_version' : ''}
       FROM (SELECT $1::text AS id) k
       LEFT JOIN streams s ON s.stream_id = k.id
       ${projection ? `LEFT JOIN LATERAL (${projection.stateSql}) p ON true` : ''}`,
    [streamId],
  )) as { stream_type: string | null; version: number | null; last_hash: string | null; state?: unknown; projected_version?: number | null }[];
  if (row!.stream_type !== null && row!.stream_type !== streamType) {
    throw new EventStoreError('event_store.stream_type_mismatch', `stream ${streamId} is a ${row!.stream_type} stream, not ${streamType}`);
  }
  const version = row!.version ?? 0;
  const head = { streamType, version, hash: row!.last_hash ?? GENESIS_HASH, state: row!.state ?? null };
  const projected = row!.projected_version ?? 0;
  if (!projection || projected === version) return head;
  // The read model fell behind its stream (a row lost, a read model added later): the state is
  // folded from the events the row lacks, and this append writes the row up to date.
  const missing = (await db.query(
    `SELECT version, type, schema_version, data FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version`,
    [streamId, projected],
  )) as { version: number; type: string; schema_version: number; data: Record<string, unknown> }[];
  const state = projection.fold(projected === 0 ? null : head.state, missing.map((e) => ({ version: e.version, type: e.type, schemaVersion: e.schema_version, data: e.data })));
  return { ...head, state, projected: projected === 0 ? null : head.state };
}
