import { createHash } from 'node:crypto';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { ConcurrencyError, EventStoreError } from './errors';
import { chainHash, GENESIS_HASH } from './hash';

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

/** Checks events before they are written: known type, current schema version. */
export interface StreamSchema {
  readonly streamType: string;
  /** Event type → the schema version new events must be written with. */
  readonly eventVersions: Readonly<Record<string, number>>;
  /** Stream ids of this type must match (contract streams are named by the contract's UUID). */
  readonly streamIdPattern?: RegExp;
}

interface StreamHead {
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


export type VerifyResult = { valid: true; events: number } | { valid: false; brokenAt: number; reason: string };

export const MAX_EVENT_BYTES = 64 * 1024;
const MAX_BATCH = 100;

/**
 * Group commit: appends to different streams that arrive while earlier ones are being written
 * share one statement (one transaction, one WAL flush, one round trip).
 */
export interface GroupCommitOptions {
  /** Statements in flight at once; an append waits only when all of them are busy. */
  readonly maxStatements: number;
  /** Appends per statement. */
  readonly maxAppends: number;
  /** Events per statement. */
  readonly maxEvents: number;
  /** Bytes of event payload per statement (an append larger than this still goes, alone). */
  readonly maxBytes: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxStatements: 2, maxAppends: 64, maxEvents: 1000, maxBytes: 4 * 1024 * 1024 };

/** Counters of the store's group commit, for monitoring and tests. */
export interface GroupCommitStats {
  /** Statements that wrote appends. */
  statements: number;
  /** Appends those statements carried. */
  appends: number;
  /** Groups whose statement failed, after which each member was tried alone. */
  groupsSplit: number;
}

/**
 * Errors after which a failed group is retried member by member: the data of one member (SQLSTATE
 * class 22 data exception, 23 integrity constraint, P0 raised by a trigger) or a lock conflict with
 * another process (40: deadlock, serialization). Anything else — the server unreachable, shutting
 * down, a timeout — would fail every member alike, so it goes straight back to every caller.
 */
function memberMayBeAtFault(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|P0|40)/.test(code);
}
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

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
type EventInsert = Readonly<Omit<EventRow, 'position' | 'occurred_at' | 'recorded_at'> & { occurred_at: string }>;

/** An append whose events are hashed and whose read-model state is folded, ready to be written. */
interface PreparedAppend {
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

interface QueuedAppend extends PreparedAppend {
  /** True after its group failed: it then gets a statement of its own. */
  readonly alone: boolean;
  /** Settles with true when written, false when the stream's head had moved. */
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

/**
 * The PostgreSQL event store (after Emmett and Marten). Appends are serialised per stream by a
 * row lock on its head; a retried append of the same events is recognised by their hashes and
 * reports success without writing.
 */
export class EventStore {
  private readonly schemas = new Map<string, StreamSchema>();
  private readonly states = new Map<string, StreamState>();
  private readonly projections = new Map<string, InlineProjection[]>();
  /** Recently written stream heads, least recently used first. */
  private readonly heads = new Map<string, StreamHead>();
  private readonly headCacheSize: number;
  private readonly preparedStatements: boolean;
  private readonly groupCommit: GroupCommitOptions;
  /** Appends waiting for a statement, oldest first. */
  private queue: QueuedAppend[] = [];
  /** Streams with an append in a statement in flight: their next append waits for it. */
  private readonly busy = new Set<string>();
  /** The number of appends in each statement in flight. */
  private readonly inFlight: number[] = [];
  readonly stats: GroupCommitStats = { statements: 0, appends: 0, groupsSplit: 0 };

  constructor(
    private readonly dataSource: DataSource,
    options: {
      schemas?: readonly StreamSchema[];
      states?: readonly StreamState[];
      projections?: readonly InlineProjection[];
      headCacheSize?: number;
      groupCommit?: Partial<GroupCommitOptions>;
      /** Named prepared statements for the append's few statement shapes (default on; off only to measure them). */
      preparedStatements?: boolean;
    } = {},
  ) {
    this.headCacheSize = options.headCacheSize ?? 2_000;
    this.preparedStatements = options.preparedStatements ?? true;
    this.groupCommit = { ...DEFAULT_GROUP_COMMIT, ...options.groupCommit };
    for (const [key, value] of Object.entries(this.groupCommit)) {
      if (!Number.isInteger(value) || value < 1) throw new EventStoreError('event_store.invalid_option', `groupCommit.${key} must be a whole number ≥ 1`);
    }
    for (const schema of options.schemas ?? []) this.schemas.set(schema.streamType, schema);
    for (const state of options.states ?? []) this.states.set(state.streamType, state);
    for (const p of options.projections ?? []) {
      if (!this.states.has(p.streamType)) throw new EventStoreError('event_store.invalid_option', `projection ${p.name} needs the state of ${p.streamType} streams`);
      this.projections.set(p.streamType, [...(this.projections.get(p.streamType) ?? []), p]);
    }
  }

  /**
   * Appends `events` if the stream is at `expectedVersion`. One statement checks that the head is
   * unchanged, inserts the events, moves the head and writes the read model — atomic on its own.
   * The head it checks against (and the projection's state) comes from a small in-process cache
   * when this process wrote the stream last, else from one read; a stale cache only costs a re-read.
   * Appends of different streams that arrive together share a statement (group commit).
   */
  async append(streamType: string, streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<AppendResult> {
    const bytes = this.validate(streamType, streamId, expectedVersion, events);
    // A first append needs no read: a new stream's head is known, and if the stream exists after
    // all, the conditional INSERT writes nothing and the head is read below.
    const cached = this.heads.get(streamId) ?? (expectedVersion === 0 ? { streamType, version: 0, hash: GENESIS_HASH, state: null } : undefined);
    if (cached && cached.streamType === streamType && cached.version === expectedVersion) {
      if (await this.tryAppend(cached, streamId, events, bytes)) return { version: expectedVersion + events.length, duplicate: false };
    }
    this.heads.delete(streamId);
    const head = await this.readHead(streamType, streamId);
    if (head.version === expectedVersion && (await this.tryAppend(head, streamId, events, bytes))) {
      return { version: expectedVersion + events.length, duplicate: false };
    }
    return this.conflictOrRetry(streamId, expectedVersion, events);
  }

  private async readHead(streamType: string, streamId: string): Promise<StreamHead> {
    const projection = this.states.get(streamType);
    const [row] = (await this.dataSource.query(
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
    const missing = (await this.dataSource.query(
      `SELECT version, type, schema_version, data FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version`,
      [streamId, projected],
    )) as { version: number; type: string; schema_version: number; data: Record<string, unknown> }[];
    const state = projection.fold(projected === 0 ? null : head.state, missing.map((e) => ({ version: e.version, type: e.type, schemaVersion: e.schema_version, data: e.data })));
    return { ...head, state, projected: projected === 0 ? null : head.state };
  }

  /** Writes the events on `head`; false when the head moved since it was read (nothing was written). */
  private async tryAppend(head: StreamHead, streamId: string, events: readonly NewEvent[], bytes: number): Promise<boolean> {
    const { streamType, version: expectedVersion, hash: prevHash } = head;
    const projection = this.states.get(streamType);
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
    const append: PreparedAppend = { streamType, streamId, expectedVersion, prevHash, version: expectedVersion + events.length, hash, rows, bytes, state, previous: 'projected' in head ? head.projected : head.state, catchingUp: 'projected' in head };
    if (!(await this.enqueue(append))) return false;
    this.remember(streamId, { streamType, version: append.version, hash, state });
    return true;
  }

  private enqueue(append: PreparedAppend): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...append, alone: false, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts a statement when none is in flight, or when another may run and the waiting appends
   * are at least as many as in the smallest statement in flight: groups do not crumble into ever
   * smaller statements under load, and a lone append never waits for company.
   */
  private pump(): void {
    while (this.queue.length && this.inFlight.length < this.groupCommit.maxStatements) {
      if (this.inFlight.length && this.queue.length < Math.min(this.groupCommit.maxAppends, ...this.inFlight)) return;
      const batch = this.takeBatch();
      if (!batch.length) return;
      this.inFlight.push(batch.length);
      void this.run(batch).finally(() => {
        this.inFlight.splice(this.inFlight.indexOf(batch.length), 1);
        this.pump();
      });
    }
  }

  /**
   * The oldest waiting appends that can share a statement: one stream type, at most one append
   * per stream, none to a stream already being written, and a stream's appends in the order they
   * came. An append that failed in a group is retried alone, so one bad append cannot fail the others.
   */
  private takeBatch(): QueuedAppend[] {
    const { maxAppends, maxEvents, maxBytes } = this.groupCommit;
    const batch: QueuedAppend[] = [];
    const rest: QueuedAppend[] = [];
    // Streams taken, or with an earlier append left waiting: a later append to them must wait too.
    const streams = new Set<string>();
    let events = 0;
    let bytes = 0;
    for (const item of this.queue) {
      const first = batch[0];
      const fits =
        !this.busy.has(item.streamId) &&
        !streams.has(item.streamId) &&
        (!first ||
          (!first.alone &&
            !item.alone &&
            item.streamType === first.streamType &&
            batch.length < maxAppends &&
            events + item.rows.length <= maxEvents &&
            bytes + item.bytes <= maxBytes));
      streams.add(item.streamId);
      if (fits) {
        batch.push(item);
        events += item.rows.length;
        bytes += item.bytes;
      } else {
        rest.push(item);
      }
    }
    this.queue = rest;
    for (const item of batch) this.busy.add(item.streamId);
    return batch;
  }

  private async run(batch: QueuedAppend[]): Promise<void> {
    let statement: { text: string; values: unknown[] };
    try {
      statement = this.statementFor(batch);
    } catch (error) {
      // Nothing was sent: some member's data is at fault.
      this.failed(batch, error, true);
      return;
    }
    let appended: Set<string>;
    try {
      appended = await this.execute(statement);
    } catch (error) {
      this.failed(batch, error, memberMayBeAtFault(error));
      return;
    }
    this.stats.statements++;
    this.stats.appends += batch.length;
    for (const item of batch) {
      this.busy.delete(item.streamId);
      item.resolve(appended.has(item.streamId));
    }
  }

  /**
   * Nothing of the group was written (one statement): each member is tried again on its own when
   * one of them may be at fault, else every member gets the error.
   */
  private failed(batch: readonly QueuedAppend[], error: unknown, split: boolean): void {
    for (const item of batch) this.busy.delete(item.streamId);
    if (batch.length > 1 && split) {
      this.stats.groupsSplit++;
      this.queue.unshift(...batch.map((item) => ({ ...item, alone: true })));
    } else {
      for (const item of batch) item.reject(error);
    }
  }

  private async execute({ text, values }: { text: string; values: unknown[] }): Promise<Set<string>> {
    const { rows } = await this.pool().query<{ stream_id: string }>(this.preparedStatements ? { name: statementName(text), text, values } : { text, values });
    return new Set(rows.map((r) => r.stream_id));
  }

  /**
   * One statement for the whole group, returning the streams whose append went ahead. Each
   * stream's head row is its lock: the UPDATE (or the INSERT of a new stream) matches only if no
   * one moved the stream since its head was read, and the events and read models of a stream
   * whose head did not match are not written. A stream's events are all written or the statement
   * fails: there is no partial append.
   */
  private statementFor(batch: readonly PreparedAppend[]): { text: string; values: unknown[] } {
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
    for (const projection of this.projections.get(streamType) ?? []) {
      const writes = sorted
        .filter((a) => a.catchingUp || projectionHandles(projection, a.rows.map((r) => r.type)))
        .map((a) => ({ streamId: a.streamId, state: a.state, version: a.version, previous: a.previous }));
      if (writes.length) ctes.push(...projection.writeCtes(writes, { param, appended: 'appended' }));
    }
    return { text: `WITH ${ctes.join(',\n')} SELECT stream_id FROM appended`, values: params };
  }

  /**
   * node-postgres' pool under TypeORM, for named prepared statements: the append's few statement
   * shapes are parsed and planned once per connection instead of at every append.
   */
  private pool(): Pool {
    return (this.dataSource.driver as unknown as { master: Pool }).master;
  }

  private remember(streamId: string, head: StreamHead): void {
    this.heads.delete(streamId);
    this.heads.set(streamId, head);
    if (this.heads.size > this.headCacheSize) this.heads.delete(this.heads.keys().next().value!);
  }

  private async conflictOrRetry(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<AppendResult> {
    const actual = await this.streamVersion(streamId);
    if (actual >= expectedVersion + events.length && (await this.isRetry(streamId, expectedVersion, events))) {
      return { version: expectedVersion + events.length, duplicate: true };
    }
    throw new ConcurrencyError(streamId, expectedVersion, actual);
  }

  /** The stream's events in version order, from `fromVersion` (inclusive). */
  async readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
      [streamId, fromVersion],
    );
    return rows.map(toRecorded);
  }

  async streamVersion(streamId: string): Promise<number> {
    const rows: { version: number }[] = await this.dataSource.query(`SELECT version FROM streams WHERE stream_id = $1`, [streamId]);
    return rows[0]?.version ?? 0;
  }

  /**
   * Recomputes the stream's hash chain and names the first event that does not match. The head is
   * read first, and the chain checked up to it: an append landing meanwhile is not a break.
   */
  async verify(streamId: string): Promise<VerifyResult> {
    const heads: { version: number; last_hash: string }[] = await this.dataSource.query(
      `SELECT version, last_hash FROM streams WHERE stream_id = $1`,
      [streamId],
    );
    const head = heads[0];
    const all = await this.readStream(streamId);
    const events = head ? all.filter((e) => e.version <= head.version) : all;
    let prevHash = GENESIS_HASH;
    for (const [i, e] of events.entries()) {
      if (e.version !== i + 1) return { valid: false, brokenAt: i + 1, reason: 'missing event' };
      if (e.prevHash !== prevHash) return { valid: false, brokenAt: e.version, reason: 'previous hash does not match' };
      const hash = chainHash(prevHash, {
        streamId,
        version: e.version,
        eventId: e.eventId,
        type: e.type,
        schemaVersion: e.schemaVersion,
        occurredAt: e.occurredAt,
        data: e.data,
        metadata: e.metadata,
      });
      if (hash !== e.hash) return { valid: false, brokenAt: e.version, reason: 'content does not match its hash' };
      prevHash = hash;
    }
    if (head && (head.version !== events.length || head.last_hash !== prevHash)) {
      return { valid: false, brokenAt: Math.min(head.version, events.length + 1), reason: 'stream head does not match its events' };
    }
    return { valid: true, events: events.length };
  }

  private async isRetry(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<boolean> {
    const stored: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 AND version <= $3 ORDER BY version`,
      [streamId, expectedVersion, expectedVersion + events.length],
    );
    if (stored.length !== events.length) return false;
    return stored.every((row, i) => {
      const e = events[i]!;
      return (
        chainHash(row.prev_hash, {
          streamId,
          version: row.version,
          eventId: row.event_id,
          type: e.type,
          schemaVersion: e.schemaVersion,
          occurredAt: new Date(e.occurredAt).toISOString(),
          data: e.data,
          metadata: e.metadata ?? {},
        }) === row.hash
      );
    });
  }

  /** Refuses bad input; returns the events' payload size in bytes. */
  private validate(streamType: string, streamId: string, expectedVersion: number, events: readonly NewEvent[]): number {
    const schema = this.schemas.get(streamType);
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
}

const statementNames = new Map<string, string>();

/** A stable name per statement text (prepared statements are per connection and per name). */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `es_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return name;
}
