import { EventEmitter } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { processorRecordHead, PROCESSOR_RECORD_CSV_COLUMNS, type ProcessorRecordRow } from '#domain';
import { csvChunks, recordCursor, streamBody } from './processing-record';

const ID = '0b9b4e1e-7d7a-4c3e-9a53-2f0f4c1e8a11';
const head = processorRecordHead({ name: 'Dana Officer', email: 'dpo@processor.example', phone: null }, '2027-05-01T00:00:00.000Z');
const row = (contractId: string): ProcessorRecordRow => ({
  contractId,
  reference: null,
  status: 'active',
  orderedAt: '2027-01-01T00:00:00.000Z',
  processingStartedAt: null,
  controller: { identity: 'email:a@b.example', name: 'Acme', email: 'a@b.example', address: null, dpoEmail: null, customerId: null, purposes: [], natureOfOperations: 'IT services', dataCategories: [], dataSubjectCategories: [], storageLocations: [] },
  thirdCountryTransfers: [],
});

async function* listOf<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe('the record cursor', () => {
  it('is the ordering instant in UTC with microseconds and a UUID, nothing else', () => {
    expect(recordCursor(['2027-01-01T00:00:00.123456Z', ID])).toEqual({ orderedAt: '2027-01-01T00:00:00.123456Z', id: ID });
    for (const fields of [['2027-02-30T00:00:00.000000Z', ID], ['0000-01-01T00:00:00.000000Z', ID], ['2027-01-01 00:00:00+99', ID], ['2027-01-01T00:00:00.000Z', ID], ['2027-01-01T00:00:00.000000Z', 'x'], ['2027-01-01T00:00:00.000000Z', ID, 1], [1, ID], []]) {
      expect(recordCursor(fields), JSON.stringify(fields)).toBeNull();
    }
  });
});

describe('the record as CSV chunks', () => {
  it('the header once, with the first batch; then one chunk per batch; the header alone when there is no row', async () => {
    const chunks: string[] = [];
    for await (const chunk of csvChunks(head, listOf([row('a'), row('b')], [row('c')]))) chunks.push(chunk);
    expect(chunks).toHaveLength(2);
    expect(chunks[0]!.split('\r\n')[0]).toBe(PROCESSOR_RECORD_CSV_COLUMNS.join(','));
    expect(chunks[0]!.split('\r\n').map((l) => l.split(',')[5])).toEqual(['contract_id', 'a', 'b', undefined]);
    expect(chunks[1]!.startsWith('Acme,a@b.example,,,,c,')).toBe(true);
    const empty: string[] = [];
    for await (const chunk of csvChunks(head, listOf<ProcessorRecordRow[]>())) empty.push(chunk);
    expect(empty).toEqual([`${PROCESSOR_RECORD_CSV_COLUMNS.join(',')}\r\n`]);
  });
});

/** A server whose one route streams `chunks`; a failure before the first byte answers 500 JSON, as the error filter does. */
async function serve(chunks: () => AsyncIterable<string>, failures: unknown[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    streamBody(res, { 'content-type': 'text/csv; charset=utf-8' }, chunks(), (e) => failures.push(e)).catch((e: Error) => {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ error: { code: 'internal_error', message: e.message } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('streaming a body (GET /processing-record?format=csv)', () => {
  it('sends every chunk in order, then ends', async () => {
    const failures: unknown[] = [];
    const server = await serve(() => listOf('h\r\n', 'a\r\n', 'b\r\n'), failures);
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(await res.text()).toBe('h\r\na\r\nb\r\n');
      expect(failures).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('a failure after the first byte cuts the transfer short: the client gets an error, never a body that looks complete', async () => {
    const failures: unknown[] = [];
    let received = '';
    const server = await serve(async function* () {
      yield 'h\r\n';
      yield 'a\r\n';
      // The next batch's read fails once the client has the first lines (as a database read takes a while).
      await new Promise((resolve) => setTimeout(resolve, 100));
      throw Object.assign(new Error('connection terminated'), { code: '57P01' });
    }, failures);
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const read = async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          received += Buffer.from(value).toString();
        }
      };
      await expect(read()).rejects.toThrow();
      expect(received).toBe('h\r\na\r\n');
      expect(failures).toEqual([expect.objectContaining({ code: '57P01' })]);
    } finally {
      await server.close();
    }
  });

  it('a failure before the first byte sends nothing: the caller answers the usual JSON error', async () => {
    const failures: unknown[] = [];
    const server = await serve(async function* () {
      throw new Error('database down');
      yield 'never';
    }, failures);
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ error: { code: 'internal_error', message: 'database down' } });
      expect(failures).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/** A response whose socket takes nothing until told: write() answers false, as a full socket does. */
class SlowResponse extends EventEmitter {
  readonly written: string[] = [];
  readonly headers: Record<string, string> = {};
  ended = false;
  destroyed = false;
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  write(chunk: string) {
    this.written.push(chunk);
    return false;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
}

describe('backpressure', () => {
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('reads the next chunk only once the socket drained; a client gone stops the reads and ends the source', async () => {
    const res = new SlowResponse();
    let read = 0;
    let finished = false;
    const source = async function* () {
      try {
        for (let i = 0; i < 100; i++) {
          read++;
          yield `line ${i}\r\n`;
        }
      } finally {
        finished = true;
      }
    };
    const streaming = streamBody(res as unknown as ServerResponse, { 'content-type': 'text/csv' }, source(), () => undefined);
    await tick();
    expect(res.written).toEqual(['line 0\r\n']);
    expect(read).toBe(1);
    res.emit('drain');
    await tick();
    expect(res.written).toEqual(['line 0\r\n', 'line 1\r\n']);
    expect(read).toBe(2);
    // The client goes away while a chunk waits: nothing more is read or written, and the source is ended.
    res.emit('close');
    await streaming;
    expect(read).toBe(2);
    expect(res.written).toHaveLength(2);
    expect(finished).toBe(true);
    expect(res.ended).toBe(false);
    expect(res.headers).toEqual({ 'content-type': 'text/csv' });
  });

  it('a client gone while the first chunk is read is not waited for: the handler ends and so does the source', async () => {
    const res = new SlowResponse();
    let finished = false;
    let release: () => void = () => undefined;
    const source = async function* () {
      try {
        // The first batch takes a while; the client leaves meanwhile.
        await new Promise<void>((resolve) => (release = resolve));
        yield 'line 0\r\n';
        yield 'line 1\r\n';
      } finally {
        finished = true;
      }
    };
    const streaming = streamBody(res as unknown as ServerResponse, { 'content-type': 'text/csv' }, source(), () => undefined);
    await tick();
    res.emit('close');
    res.destroyed = true;
    release();
    await streaming;
    expect(finished).toBe(true);
    expect(res.ended).toBe(false);
  });
});
