import { type DataSource, type QueryRunner } from 'typeorm';
import { CONTRACT_STREAM, contractProjections, foldEvents, LIVE_TABLES, type ReadModelTables } from './contract-projection';
import { type ContractState } from '../../../domain/src';
import { EVENT_COLUMNS, toRecorded, writeProjections, type EventRow, type ProjectionWrite, type RecordedEvent } from './event-store';

/** An events row with its recording time as text: a Date would drop the microseconds. */
type RowWithExactTime = EventRow & { recorded_at_exact: string };
const COLUMNS = `${EVENT_COLUMNS}, recorded_at::text AS recorded_at_exact`;

const REBUILD: ReadModelTables = { contracts: 'contracts_rebuild', deadlines: 'deadlines_rebuild', renewals: 'contract_renewals_rebuild' };
/** Each live read-model table with its fresh copy. */
const TABLES = (Object.keys(LIVE_TABLES) as (keyof ReadModelTables)[]).map((k) => [LIVE_TABLES[k], REBUILD[k]] as const);
const PAGE = 5_000;
const REBUILD_LOCK = 7_724_000_002;

export interface RebuildReport {
  readonly contracts: number;
  readonly events: number;
  readonly caughtUp: number;
}

const rebuilt = contractProjections(REBUILD);

const WRITE_BATCH = 200;

/** Folds streams and writes their rows, many contracts per statement. */
class RebuildWriter {
  private writes: ProjectionWrite<ContractState>[] = [];

  constructor(private readonly tx: QueryRunner) {}

  /** `recordedAt`: when the stream's last event was recorded, to the microsecond (as text). */
  async add(streamId: string, events: readonly RecordedEvent[], recordedAt: string): Promise<void> {
    const last = events[events.length - 1]!;
    this.writes.push({ streamId, state: foldEvents(events), version: last.version, previous: null, updatedAt: recordedAt });
    if (this.writes.length >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    const writes = this.writes;
    this.writes = [];
    await writeProjections(this.tx, rebuilt, writes);
  }
}

/**
 * Rebuilds every contract read model from the events into fresh tables, then swaps them in.
 * The bulk runs while appends go on; the swap takes a lock that waits out in-flight appends,
 * re-folds any stream that moved meanwhile, and replaces the live rows in one transaction.
 */
export async function rebuildProjections(dataSource: DataSource, log: (line: string) => void = () => {}): Promise<RebuildReport> {
  const tx = dataSource.createQueryRunner();
  await tx.connect();
  // One rebuild at a time: a second waits here, then rebuilds from the events again.
  await tx.query('SELECT pg_advisory_lock($1)', [REBUILD_LOCK]);
  try {
    for (const [live, fresh] of TABLES) {
      await tx.query(`DROP TABLE IF EXISTS ${fresh}`);
      await tx.query(`CREATE TABLE ${fresh} (LIKE ${live} INCLUDING ALL)`);
    }

    let contracts = 0;
    let events = 0;
    let after: [string, number] = ['', 0];
    let pending: RecordedEvent[] = [];
    let pendingRecordedAt = '';
    const writer = new RebuildWriter(tx);
    for (;;) {
      const rows: RowWithExactTime[] = await tx.query(
        `SELECT ${COLUMNS} FROM events
         WHERE stream_id IN (SELECT stream_id FROM streams WHERE stream_type = $1) AND (stream_id, version) > ($2, $3)
         ORDER BY stream_id, version LIMIT $4`,
        [CONTRACT_STREAM, after[0], after[1], PAGE],
      );
      for (const row of rows) {
        if (pending.length && pending[0]!.streamId !== row.stream_id) {
          await writer.add(pending[0]!.streamId, pending, pendingRecordedAt);
          contracts++;
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
      contracts++;
    }
    await writer.flush();
    log(`folded ${events} events into ${contracts} contracts`);

    await tx.startTransaction();
    // EXCLUSIVE conflicts with the row locks every append takes on its stream head: once granted,
    // no append is in flight and none can start until the swap commits.
    await tx.query(`LOCK TABLE streams IN EXCLUSIVE MODE`);
    const moved: { stream_id: string }[] = await tx.query(
      `SELECT s.stream_id FROM streams s LEFT JOIN ${REBUILD.contracts} r ON r.id::text = s.stream_id
       WHERE s.stream_type = $1 AND r.version IS DISTINCT FROM s.version`,
      [CONTRACT_STREAM],
    );
    for (const { stream_id } of moved) {
      const rows: RowWithExactTime[] = await tx.query(
        `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`,
        [stream_id],
      );
      // The stream is written again from scratch: its rows so far go first.
      await tx.query(`DELETE FROM ${REBUILD.deadlines} WHERE stream_type = $1 AND stream_id = $2`, [CONTRACT_STREAM, stream_id]);
      await tx.query(`DELETE FROM ${REBUILD.renewals} WHERE contract_id = $1`, [stream_id]);
      if (rows.length) await writer.add(stream_id, rows.map(toRecorded), rows[rows.length - 1]!.recorded_at_exact);
    }
    await writer.flush();
    // Rows are copied in rather than tables renamed: the live tables keep their names, indexes and
    // grants, so later migrations find what they expect. Readers see old rows until the commit.
    for (const [live, fresh] of TABLES) {
      // The inbox holds the clocks of other file types too: only the contracts' are replaced.
      if (live === LIVE_TABLES.deadlines) await tx.query(`DELETE FROM ${live} WHERE stream_type = $1`, [CONTRACT_STREAM]);
      else await tx.query(`TRUNCATE ${live}`);
      await tx.query(`INSERT INTO ${live} SELECT * FROM ${fresh}`);
      await tx.query(`DROP TABLE ${fresh}`);
    }
    await tx.commitTransaction();
    log(`caught up ${moved.length} streams that moved during the rebuild; swapped in`);
    return { contracts, events, caughtUp: moved.length };
  } catch (e) {
    if (tx.isTransactionActive) await tx.rollbackTransaction().catch(() => {});
    throw e;
  } finally {
    await tx.query('SELECT pg_advisory_unlock($1)', [REBUILD_LOCK]).catch(() => undefined);
    await tx.release();
  }
}
