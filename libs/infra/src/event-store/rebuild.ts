import { type DataSource, type QueryRunner } from 'typeorm';
import { FILE_TYPES, type FileType } from '#domain';
import { contractProjections, ContractStateSource, LIVE_TABLES, type ReadModelTables } from './contract-projection';
import { DEADLINES_TABLE } from './deadlines-projection';
import { EVENT_COLUMNS, toRecorded, writeProjections, type EventRow, type InlineProjection, type ProjectionWrite, type RecordedEvent, type StreamState } from './event-store';
import { fileReadModel } from './whole-state-projection';

/** An events row with its recording time as text: a Date would drop the microseconds. */
type RowWithExactTime = EventRow & { recorded_at_exact: string };
const COLUMNS = `${EVENT_COLUMNS}, recorded_at::text AS recorded_at_exact`;

const PAGE = 5_000;
const WRITE_BATCH = 200;
const REBUILD_LOCK = 7_724_000_002;
const fresh = (table: string) => `${table}_rebuild`;

export interface RebuildReport {
  /** Files rebuilt, by file type. */
  readonly files: Readonly<Record<string, number>>;
  readonly events: number;
  readonly caughtUp: number;
}

/** A file type's read models as the rebuild writes them: into fresh tables, from a state folded anew. */
interface Target {
  readonly type: FileType;
  readonly source: StreamState;
  readonly projections: readonly InlineProjection[];
  /** Each live table with its fresh copy (the inbox's `deadlines` is shared by every type). */
  readonly tables: readonly (readonly [string, string])[];
  /** Removes a stream's rows that a rewrite from scratch would not overwrite. */
  clear(tx: QueryRunner, streamId: string): Promise<void>;
}

const clearDeadlines = (tx: QueryRunner, type: FileType, streamId: string) =>
  tx.query(`DELETE FROM ${fresh(DEADLINES_TABLE)} WHERE stream_type = $1 AND stream_id = $2`, [type.name, streamId]);

function targetOf(type: FileType): Target {
  if ('custom' in type.readModel) {
    if (type.name !== 'contract') throw new Error(`no rebuild for the ${type.name} read model`);
    const tables: ReadModelTables = { contracts: fresh(LIVE_TABLES.contracts), deadlines: fresh(LIVE_TABLES.deadlines), renewals: fresh(LIVE_TABLES.renewals) };
    return {
      type,
      source: new ContractStateSource(),
      projections: contractProjections(tables) as InlineProjection[],
      tables: [[LIVE_TABLES.contracts, tables.contracts], [LIVE_TABLES.renewals, tables.renewals]],
      clear: async (tx, streamId) => {
        await clearDeadlines(tx, type, streamId);
        await tx.query(`DELETE FROM ${tables.renewals} WHERE contract_id = $1`, [streamId]);
      },
    };
  }
  const table = type.readModel.table;
  const model = fileReadModel(type, { rows: fresh(table), deadlines: fresh(DEADLINES_TABLE) });
  return { type, source: model.source as StreamState, projections: model.projections as InlineProjection[], tables: [[table, fresh(table)]], clear: (tx, streamId) => clearDeadlines(tx, type, streamId) };
}

/** Folds streams and writes their rows, many files per statement. */
class RebuildWriter {
  private writes: ProjectionWrite<unknown>[] = [];

  constructor(
    private readonly tx: QueryRunner,
    private readonly target: Target,
  ) {}

  /** `recordedAt`: when the stream's last event was recorded, to the microsecond (as text). */
  async add(streamId: string, events: readonly RecordedEvent[], recordedAt: string): Promise<void> {
    const last = events[events.length - 1]!;
    this.writes.push({ streamId, state: this.target.source.fold(null, events), version: last.version, previous: null, updatedAt: recordedAt });
    if (this.writes.length >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    await writeProjections(this.tx, this.target.projections, writes);
  }
}

/** Every stream of one type, folded page by page into its fresh tables; the number of files and events. */
async function foldAll(tx: QueryRunner, target: Target): Promise<{ files: number; events: number }> {
  const writer = new RebuildWriter(tx, target);
  let files = 0;
  let events = 0;
  let after: [string, number] = ['', 0];
  let pending: RecordedEvent[] = [];
  let pendingRecordedAt = '';
  for (;;) {
    const rows: RowWithExactTime[] = await tx.query(
      `SELECT ${COLUMNS} FROM events
       WHERE stream_id IN (SELECT stream_id FROM streams WHERE stream_type = $1) AND (stream_id, version) > ($2, $3)
       ORDER BY stream_id, version LIMIT $4`,
      [target.type.name, after[0], after[1], PAGE],
    );
    for (const row of rows) {
      if (pending.length && pending[0]!.streamId !== row.stream_id) {
        await writer.add(pending[0]!.streamId, pending, pendingRecordedAt);
        files++;
        pending = [];
      }
      pending.push(toRecorded(row));
      pendingRecordedAt = row.recorded_at_exact;
    }
    events += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = [last.stream_id, last.version];
  }
  // The last stream of the last page may continue on the next page; it is complete only now.
  if (pending.length) {
    await writer.add(pending[0]!.streamId, pending, pendingRecordedAt);
    files++;
  }
  await writer.flush();
  return { files, events };
}

/**
 * Rebuilds every read model of every file type (FILE_TYPES) from the events into fresh tables,
 * then swaps them in. The bulk runs while appends go on; the swap takes a lock that waits out
 * in-flight appends, re-folds any stream that moved meanwhile, and replaces the live rows in one
 * transaction.
 */
export async function rebuildProjections(dataSource: DataSource, log: (line: string) => void = () => {}): Promise<RebuildReport> {
  const targets = FILE_TYPES.map(targetOf);
  const tables: (readonly [string, string])[] = [[DEADLINES_TABLE, fresh(DEADLINES_TABLE)], ...targets.flatMap((t) => t.tables)];
  const tx = dataSource.createQueryRunner();
  await tx.connect();
  // One rebuild at a time: a second waits here, then rebuilds from the events again.
  await tx.query('SELECT pg_advisory_lock($1)', [REBUILD_LOCK]);
  try {
    for (const [live, copy] of tables) {
      await tx.query(`DROP TABLE IF EXISTS ${copy}`);
      await tx.query(`CREATE TABLE ${copy} (LIKE ${live} INCLUDING ALL)`);
    }

    const files: Record<string, number> = {};
    let events = 0;
    for (const target of targets) {
      const folded = await foldAll(tx, target);
      files[target.type.name] = folded.files;
      events += folded.events;
      log(`folded ${folded.events} events into ${folded.files} ${target.type.name} files`);
    }

    await tx.startTransaction();
    // EXCLUSIVE conflicts with the row locks every append takes on its stream head: once granted,
    // no append is in flight and none can start until the swap commits.
    await tx.query(`LOCK TABLE streams IN EXCLUSIVE MODE`);
    let caughtUp = 0;
    for (const target of targets) {
      const moved: { stream_id: string }[] = await tx.query(
        `SELECT s.stream_id FROM streams s LEFT JOIN ${fresh(target.type.readModel.table)} r ON r.id::text = s.stream_id
         WHERE s.stream_type = $1 AND r.version IS DISTINCT FROM s.version`,
        [target.type.name],
      );
      const writer = new RebuildWriter(tx, target);
      for (const { stream_id } of moved) {
        const rows: RowWithExactTime[] = await tx.query(`SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`, [stream_id]);
        // The stream is written again from scratch: its rows so far go first.
        await target.clear(tx, stream_id);
        if (rows.length) await writer.add(stream_id, rows.map(toRecorded), rows[rows.length - 1]!.recorded_at_exact);
      }
      await writer.flush();
      caughtUp += moved.length;
    }
    // Rows are copied in rather than tables renamed: the live tables keep their names, indexes and
    // grants, so later migrations find what they expect. Readers see old rows until the commit.
    for (const [live, copy] of tables) {
      await tx.query(`TRUNCATE ${live}`);
      await tx.query(`INSERT INTO ${live} SELECT * FROM ${copy}`);
      await tx.query(`DROP TABLE ${copy}`);
    }
    await tx.commitTransaction();
    log(`caught up ${caughtUp} streams that moved during the rebuild; swapped in`);
    return { files, events, caughtUp };
  } catch (e) {
    if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => {});
    throw e;
  } finally {
    await tx.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    await tx.release();
  }
}
