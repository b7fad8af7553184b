// The processing record (GDPR 30(2)) over HTTP: its cursor, and its CSV streamed batch by batch.
import { type ServerResponse } from 'node:http';
import { isUuid, processorRecordCsvHeader, processorRecordCsvLines, type ProcessorRecordHead, type ProcessorRecordRow } from '#domain';

/** The CSV is read from PostgreSQL this many contracts at a time: memory holds one batch, whatever the record's size. */
export const RECORD_BATCH = 500;

/** A CSV stream keeps the entries of at most this many controllers (each a few kB), so as not to look them up for each batch. */
export const RECORD_CONTROLLERS = 5_000;

/** Where a page of the record ends: the contract's ordering instant in UTC with its microseconds, and its id. */
export interface RecordCursor {
  readonly orderedAt: string;
  readonly id: string;
}

// Written as GET /admin/api-keys writes its cursor: an instant that exists (year 1 on), in UTC, with microseconds.
const MICRO_INSTANT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const existingInstant = (v: string) => MICRO_INSTANT.test(v) && new Date(`${v.slice(0, 23)}Z`).toISOString().slice(0, 23) === v.slice(0, 23);

/** A cursor's fields as this API wrote them, else null (readCursor answers 400 invalid_cursor). */
export function recordCursor([orderedAt, id, ...rest]: unknown[]): RecordCursor | null {
  return rest.length === 0 && typeof orderedAt === 'string' && existingInstant(orderedAt) && typeof id === 'string' && isUuid(id) ? { orderedAt, id } : null;
}

/** The record as CSV text: the header line and the first batch's lines in one chunk, then one chunk per batch. */
export async function* csvChunks(head: ProcessorRecordHead, batches: AsyncIterable<readonly ProcessorRecordRow[]>): AsyncGenerator<string> {
  let header = processorRecordCsvHeader();
  for await (const rows of batches) {
    yield header + processorRecordCsvLines(head, rows);
    header = '';
  }
  if (header) yield header;
}

/**
 * Sends `chunks` as the body, each as it comes, and reads the next only once the socket took the
 * last (backpressure: a slow client holds one chunk in memory, not the record). The first chunk is
 * read before anything is sent, so a failure there propagates (the usual JSON error). A failure
 * after it is given to `failed` and destroys the response: the client sees a truncated transfer
 * (no final chunk), never a body that looks complete. A client that goes away stops the reads.
 */
export async function streamBody(res: ServerResponse, headers: Readonly<Record<string, string>>, chunks: AsyncIterable<string>, failed: (error: unknown) => void): Promise<void> {
  const iterator = chunks[Symbol.asyncIterator]();
  // Watched from the start: a client gone while the first batch is read is not waited for.
  let closed = false;
  const onClose = () => {
    closed = true;
  };
  res.once('close', onClose);
  let next: IteratorResult<string>;
  try {
    next = await iterator.next();
  } catch (error) {
    res.off('close', onClose);
    throw error;
  }
  closed ||= res.destroyed;
  try {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    while (!next.done && !closed) {
      if (!res.write(next.value)) await drainedOrClosed(res);
      if (closed) break;
      next = await iterator.next();
    }
    if (!closed) res.end();
  } catch (error) {
    failed(error);
    res.destroy();
  } finally {
    res.off('close', onClose);
    // Ends a generator left half-way (a client gone), so it holds nothing.
    try {
      await iterator.return?.();
    } catch (error) {
      failed(error);
    }
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
