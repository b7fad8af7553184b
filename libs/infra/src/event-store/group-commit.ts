import { type AppendStatement, type PreparedAppend } from './append';
import { EventStoreError } from './errors';

/**
 * The store's group commit: appends wait in one queue and leave it in groups, each group one
 * statement; a group that fails is retried member by member when a member may be at fault.
 */

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

interface QueuedAppend extends PreparedAppend {
  /** True after its group failed: it then gets a statement of its own. */
  readonly alone: boolean;
  /** Settles with true when written, false when the stream's head had moved. */
  resolve(written: boolean): void;
  reject(error: unknown): void;
}

/** How the group commit writes a group: builds its statement (no I/O), then runs it. */
export interface GroupWriter {
  statementFor(batch: readonly PreparedAppend[]): AppendStatement;
  /** The streams whose append went ahead. */
  execute(statement: AppendStatement): Promise<Set<string>>;
}

/** The queue of appends waiting for a statement, and the statements in flight. */
export class GroupCommit {
  private readonly options: GroupCommitOptions;
  /** Appends waiting for a statement, oldest first. */
  private queue: QueuedAppend[] = [];
  /** Streams with an append in a statement in flight: their next append waits for it. */
  private readonly busy = new Set<string>();
  /** The number of appends in each statement in flight. */
  private readonly inFlight: number[] = [];
  readonly stats: GroupCommitStats = { statements: 0, appends: 0, groupsSplit: 0 };

  constructor(
    options: Partial<GroupCommitOptions> | undefined,
    private readonly writer: GroupWriter,
  ) {
    this.options = { ...DEFAULT_GROUP_COMMIT, ...options };
    for (const [key, value] of Object.entries(this.options)) {
      if (!Number.isInteger(value) || value < 1) throw new EventStoreError('event_store.invalid_option', `groupCommit.${key} must be a whole number ≥ 1`);
    }
  }

  enqueue(append: PreparedAppend): Promise<boolean> {
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
    while (this.queue.length && this.inFlight.length < this.options.maxStatements) {
      if (this.inFlight.length && this.queue.length < Math.min(this.options.maxAppends, ...this.inFlight)) return;
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
    const { maxAppends, maxEvents, maxBytes } = this.options;
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
    let statement: AppendStatement;
    try {
      statement = this.writer.statementFor(batch);
    } catch (error) {
      // Nothing was sent: some member's data is at fault.
      this.failed(batch, error, true);
      return;
    }
    let appended: Set<string>;
    try {
      appended = await this.writer.execute(statement);
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
}
