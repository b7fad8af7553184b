import { type DataSource } from 'typeorm';
import { EVENT_COLUMNS, toRecorded, type EventRow, type NewEvent, type RecordedEvent, type VerifyResult } from './events';
import { chainHash, GENESIS_HASH } from './hash';

/** Reads of a stream: its events, its version, the check of its hash chain, and the recognition of a retried append. */

/** The stream's events in version order, from `fromVersion` (inclusive). */
export async function readStreamEvents(db: DataSource, streamId: string, fromVersion = 1): Promise<RecordedEvent[]> {
  const rows: EventRow[] = await db.query(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
    [streamId, fromVersion],
  );
  return rows.map(toRecorded);
}

/** The stream's version: 0 when it has no events. */
export async function readStreamVersion(db: DataSource, streamId: string): Promise<number> {
  const rows: { version: number }[] = await db.query(`SELECT version FROM streams WHERE stream_id = $1`, [streamId]);
  return rows[0]?.version ?? 0;
}

/**
 * Recomputes the stream's hash chain and names the first event that does not match. The head is
 * read first, and the chain checked up to it: an append landing meanwhile is not a break.
 */
export async function verifyStream(db: DataSource, streamId: string): Promise<VerifyResult> {
  const heads: { version: number; last_hash: string }[] = await db.query(
    `SELECT version, last_hash FROM streams WHERE stream_id = $1`,
    [streamId],
  );
  const head = heads[0];
  const all = await readStreamEvents(db, streamId);
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

/** True when the stored events after `expectedVersion` are these very events (a retried append). */
export async function isRetry(db: DataSource, streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<boolean> {
  const stored: EventRow[] = await db.query(
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
