/**
 * Read models written by the append's own statement (inline projections), and the stream state
 * they are written from.
 */

/** An event about to be written, as an inline projection sees it. */
export interface PendingEvent {
  readonly version: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
}

/** One stream's new read-model state, as an append (or a rebuild) writes it. */
export interface ProjectionWrite<S = unknown> {
  readonly streamId: string;
  readonly state: S;
  readonly version: number;
  /**
   * The state before the append, which is what the stream's read-model rows hold (they move with
   * the stream head, in the same statement), so a projection may write only what changed; null
   * for a new stream, or when rows are written from scratch.
   */
  readonly previous: S | null;
  /** When the rows were last changed; null means the writing transaction's time. */
  readonly updatedAt?: string | null;
}

/**
 * What the store knows of a stream type's state: read with the stream head (from the read model
 * that keeps it whole), folded forward over the events of each append. The read models are written
 * from it; no workflow ever reads it (a workflow keeps its own state, DESIGN §5).
 */
export interface StreamState<S = unknown> {
  readonly streamType: string;
  /** A query of `$1` (the stream id) returning at most one row with columns `state` and `version`. */
  readonly stateSql: string;
  fold(state: S | null, events: readonly PendingEvent[]): S;
}

/**
 * A read model written by the append's own statement, so read models and events can never
 * disagree. It declares the events it handles and adds data-modifying CTEs to the append of any of
 * them, from the stream's state before and after (its fold is the stream type's `StreamState`).
 */
export interface InlineProjection<S = unknown> {
  readonly name: string;
  readonly streamType: string;
  /** The event types that may change this read model; an append of none of them leaves it alone. */
  readonly handles: ReadonlySet<string> | 'every event';
  /**
   * CTEs writing the read models of every stream in `writes` whose append goes ahead: those listed
   * in the `stream_id` column of the CTE named `appended`. The text may take only a few shapes
   * (each becomes a prepared statement): values go in through `param(value)`, which returns the
   * placeholder of a new parameter.
   */
  writeCtes(writes: readonly ProjectionWrite<S>[], sql: { param: (value: unknown) => string; appended: string }): string[];
}

/** True when an append of events of these types must write the projection. */
export function projectionHandles(projection: Pick<InlineProjection, 'handles'>, types: Iterable<string>): boolean {
  if (projection.handles === 'every event') return true;
  for (const type of types) if (projection.handles.has(type)) return true;
  return false;
}

/** Writes streams' read models outside an append (projection rebuild), many in one statement. */
export async function writeProjections<S>(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  projections: readonly InlineProjection<S>[],
  writes: readonly ProjectionWrite<S>[],
): Promise<void> {
  if (!writes.length) return;
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const ids = param(writes.map((w) => w.streamId));
  const ctes = [`written AS (SELECT unnest(${ids}::text[]) AS stream_id)`, ...projections.flatMap((p) => p.writeCtes(writes, { param, appended: 'written' }))];
  await db.query(`WITH ${ctes.join(',\n')} SELECT 1`, params);
}
