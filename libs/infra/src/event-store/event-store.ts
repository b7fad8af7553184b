import { type DataSource } from 'typeorm';
import { pgPool, preparedQuery } from '../database/prepared';
import { appendStatement, prepareAppend, type AppendStatement } from './append';
import { ConcurrencyError, EventStoreError } from './errors';
import { type AppendResult, type NewEvent, type RecordedEvent, type VerifyResult } from './events';
import { GroupCommit, type GroupCommitOptions, type GroupCommitStats } from './group-commit';
import { GENESIS_HASH } from './hash';
import { type InlineProjection, type StreamState } from './inline-projection';
import { isRetry, readStreamEvents, readStreamVersion, verifyStream } from './reads';
import { HeadCache, readHead, type StreamHead } from './stream-head';
import { validateAppend, type StreamSchema } from './stream-schema';

// The store's vocabulary lives beside it, one file a concept; everything it ever exported is still
// exported from here, so no importer has to know where a piece went.
export { type AppendResult, type EventRow, EVENT_COLUMNS, eventId, type NewEvent, type RecordedEvent, toRecorded, type VerifyResult } from './events';
export { DEFAULT_GROUP_COMMIT, type GroupCommitOptions, type GroupCommitStats } from './group-commit';
export { type InlineProjection, type PendingEvent, projectionHandles, type ProjectionWrite, type StreamState, writeProjections } from './inline-projection';
export { MAX_EVENT_BYTES, type StreamSchema } from './stream-schema';

/**
 * The PostgreSQL event store (after Emmett and Marten). Appends are serialised per stream by a
 * row lock on its head; a retried append of the same events is recognised by their hashes and
 * reports success without writing.
 */
export class EventStore {
  private readonly schemas = new Map<string, StreamSchema>();
  private readonly states = new Map<string, StreamState>();
  private readonly projections = new Map<string, InlineProjection[]>();
  private readonly heads: HeadCache;
  private readonly preparedStatements: boolean;
  private readonly commits: GroupCommit;
  readonly stats: GroupCommitStats;

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
    this.heads = new HeadCache(options.headCacheSize ?? 2_000);
    this.preparedStatements = options.preparedStatements ?? true;
    this.commits = new GroupCommit(options.groupCommit, {
      statementFor: (batch) => appendStatement(batch, this.projections),
      execute: (statement) => this.execute(statement),
    });
    this.stats = this.commits.stats;
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
    const bytes = validateAppend(this.schemas, streamType, streamId, expectedVersion, events);
    // A first append needs no read: a new stream's head is known, and if the stream exists after
    // all, the conditional INSERT writes nothing and the head is read below.
    const cached = this.heads.get(streamId) ?? (expectedVersion === 0 ? { streamType, version: 0, hash: GENESIS_HASH, state: null } : undefined);
    if (cached && cached.streamType === streamType && cached.version === expectedVersion) {
      if (await this.tryAppend(cached, streamId, events, bytes)) return { version: expectedVersion + events.length, duplicate: false };
    }
    this.heads.forget(streamId);
    const head = await readHead(this.dataSource, this.states, streamType, streamId);
    if (head.version === expectedVersion && (await this.tryAppend(head, streamId, events, bytes))) {
      return { version: expectedVersion + events.length, duplicate: false };
    }
    return this.conflictOrRetry(streamId, expectedVersion, events);
  }

  /** Writes the events on `head`; false when the head moved since it was read (nothing was written). */
  private async tryAppend(head: StreamHead, streamId: string, events: readonly NewEvent[], bytes: number): Promise<boolean> {
    const append = prepareAppend(head, streamId, events, bytes, this.states.get(head.streamType));
    if (!(await this.commits.enqueue(append))) return false;
    this.heads.remember(streamId, { streamType: append.streamType, version: append.version, hash: append.hash, state: append.state });
    return true;
  }

  /** The append's few statement shapes are parsed and planned once per connection instead of at every append. */
  private async execute({ text, values }: AppendStatement): Promise<Set<string>> {
    const rows = this.preparedStatements ? await preparedQuery<{ stream_id: string }>(this.dataSource, text, values) : (await pgPool(this.dataSource).query<{ stream_id: string }>({ text, values })).rows;
    return new Set(rows.map((r) => r.stream_id));
  }

  private async conflictOrRetry(streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<AppendResult> {
    const actual = await this.streamVersion(streamId);
    if (actual >= expectedVersion + events.length && (await isRetry(this.dataSource, streamId, expectedVersion, events))) {
      return { version: expectedVersion + events.length, duplicate: true };
    }
    throw new ConcurrencyError(streamId, expectedVersion, actual);
  }

  /** The stream's events in version order, from `fromVersion` (inclusive). */
  readStream(streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
    return readStreamEvents(this.dataSource, streamId, fromVersion);
  }

  streamVersion(streamId: string): Promise<number> {
    return readStreamVersion(this.dataSource, streamId);
  }

  /**
   * Recomputes the stream's hash chain and names the first event that does not match. The head is
   * read first, and the chain checked up to it: an append landing meanwhile is not a break.
   */
  verify(streamId: string): Promise<VerifyResult> {
    return verifyStream(this.dataSource, streamId);
  }
}
