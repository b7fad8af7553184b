import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { type DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDuration, contractStream, initialState, openClocks } from '#domain';
import * as f from '#domain/testing';
import { createDataSource } from '#infra/database/data-source';
import { CONTRACT_STREAM, contractStateSql, foldEvents } from '#infra/event-store/contract-projection';
import { createEventStore, toNewEvents } from '#infra/event-store/streams';
import { ConcurrencyError, EventStoreError } from '#infra/event-store/errors';
import { EventStore, type InlineProjection, type StreamState } from '#infra/event-store/event-store';
import { rebuildProjections } from '#infra/event-store/rebuild';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { prng, randomLifecycle, run, type SimulatedContract } from '../support/workload';

let db: TestDatabase;
let dataSource: DataSource;
let store: EventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url, poolSize: 40 });
  await dataSource.initialize();
  store = createEventStore(dataSource);
});
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

const ordered = (contractId: string) => toNewEvents(contractStream, [f.contractOrdered({ contractId })]);
const count = async (sql: string, params: unknown[] = []) => Number((await dataSource.query(sql, params))[0].n);

describe('append', () => {
  it('of two concurrent appends at one version, exactly one commits and the other gets a concurrency error', async () => {
    const id = randomUUID();
    await store.append(CONTRACT_STREAM, id, 0, ordered(id));
    const attempts = await Promise.allSettled([
      store.append(CONTRACT_STREAM, id, 1, toNewEvents(contractStream, [f.handedOver('2027-02-01T00:00:00.000Z')])),
      store.append(CONTRACT_STREAM, id, 1, toNewEvents(contractStream, [f.contractCancelled('2027-02-01T00:00:00.000Z')])),
    ]);
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(ConcurrencyError);
    expect((rejected[0]!.reason as ConcurrencyError).code).toBe('event_store.concurrency');
    expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2]);
  });

  it('of two concurrent first appends to a new stream, exactly one commits', async () => {
    const id = randomUUID();
    const attempts = await Promise.allSettled([
      store.append(CONTRACT_STREAM, id, 0, toNewEvents(contractStream, [f.contractOrdered({ contractId: id, reference: 'A' })])),
      store.append(CONTRACT_STREAM, id, 0, toNewEvents(contractStream, [f.contractOrdered({ contractId: id, reference: 'B' })])),
    ]);
    expect(attempts.map((a) => a.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await store.readStream(id)).toHaveLength(1);
  });

  it('100 concurrent appends to 100 streams all commit, with gap-free versions per stream', async () => {
    const ids = Array.from({ length: 100 }, () => randomUUID());
    await Promise.all(ids.map((id) => store.append(CONTRACT_STREAM, id, 0, ordered(id))));
    await Promise.all(ids.map((id) => store.append(CONTRACT_STREAM, id, 1, toNewEvents(contractStream, [f.handedOver('2027-02-01T00:00:00.000Z')]))));
    await Promise.all(
      ids.map((id) =>
        store.append(CONTRACT_STREAM, id, 2, toNewEvents(contractStream, [f.nonRenewalNoticed('2027-02-02T00:00:00.000Z', '2027-03-01T00:00:00.000Z'), f.contractTerminated('2027-02-03T00:00:00.000Z')])),
      ),
    );
    for (const id of ids) expect((await store.readStream(id)).map((e) => e.version)).toEqual([1, 2, 3, 4]);
    const rows: { status: string }[] = await dataSource.query(`SELECT status FROM contracts WHERE id = ANY($1::uuid[])`, [ids]);
    expect(rows.map((r) => r.status)).toEqual(Array(100).fill('terminated'));
  });

  it('a retried append of the same events is a no-op that reports success', async () => {
    const id = randomUUID();
    const events = ordered(id);
    expect(await store.append(CONTRACT_STREAM, id, 0, events)).toEqual({ version: 1, duplicate: false });
    expect(await store.append(CONTRACT_STREAM, id, 0, events)).toEqual({ version: 1, duplicate: true });
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id = $1`, [id])).toBe(1);
    // Different events at the same version are a conflict, not a retry.
    await expect(store.append(CONTRACT_STREAM, id, 0, toNewEvents(contractStream, [f.contractOrdered({ contractId: id, reference: 'other' })]))).rejects.toBeInstanceOf(ConcurrencyError);
  });

  it('an event id is its stream and version, so no two events share one', async () => {
    const id = randomUUID();
    await store.append(CONTRACT_STREAM, id, 0, ordered(id));
    const insert = (eventId: string, version: number) =>
      dataSource.query(
        `INSERT INTO events (event_id, stream_id, version, type, schema_version, data, occurred_at, prev_hash, hash)
         VALUES ($1, $2, $3, 'ContractTerminated', 1, '{}', now(), 'p', 'h')`,
        [eventId, id, version],
      );
    // Another event's id at a new version, or a new id at a taken version: both refused.
    await expect(insert(`${id}:1`, 2)).rejects.toThrow(/events_event_id_is_stream_version/);
    await expect(insert(`${id}:1`, 1)).rejects.toThrow(/events_stream_version_unique/);
    await expect(insert(`${randomUUID()}:2`, 2)).rejects.toThrow(/events_event_id_is_stream_version/);
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id = $1`, [id])).toBe(1);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const id = randomUUID();
    const before = await count(`SELECT count(*) AS n FROM events`);
    const good = ordered(id)[0]!;
    const cases: [unknown[], string][] = [
      [[{ ...good, type: 'ContractSold' }], 'event_store.unknown_event_type'],
      [[{ ...good, schemaVersion: 1 }], 'event_store.wrong_schema_version'],
      [[{ ...good, data: { blob: 'x'.repeat(70_000) } }], 'event_store.payload_too_large'],
      [[{ ...good, occurredAt: 'yesterday' }], 'event_store.invalid_event'],
      [[{ ...good, data: [1, 2] }], 'event_store.invalid_event'],
      [[], 'event_store.invalid_batch'],
    ];
    for (const [events, code] of cases) {
      const error = await store.append(CONTRACT_STREAM, id, 0, events as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreError);
      expect((error as EventStoreError).code).toBe(code);
      expect((error as Error).message).not.toContain('xxxx');
    }
    await expect(store.append(CONTRACT_STREAM, 'not-a-uuid', 0, [good])).rejects.toMatchObject({ code: 'event_store.invalid_stream' });
    await expect(store.append('invoice', id, 0, [good])).rejects.toMatchObject({ code: 'event_store.unknown_stream_type' });
    expect(await count(`SELECT count(*) AS n FROM events`)).toBe(before);
    expect(await count(`SELECT count(*) AS n FROM streams WHERE stream_id = $1`, [id])).toBe(0);
  });
});

describe('group commit', () => {
  /** A store that writes one statement at a time: appends made meanwhile wait, then share the next statement. */
  const serialStore = () => createEventStore(dataSource, { groupCommit: { maxStatements: 1 } });
  const transactionsOf = async (ids: string[]) =>
    (await dataSource.query(`SELECT stream_id, transaction_id::text AS tx FROM events WHERE stream_id = ANY($1) ORDER BY position`, [ids])) as { stream_id: string; tx: string }[];
  const handOver = () => toNewEvents(contractStream, [f.handedOver('2027-02-01T00:00:00.000Z')]);
  /** Runs `body` while PostgreSQL raises `errcode` on every insert of an event of `streamId`. */
  const whileInsertsOf = async (streamId: string, message: string, errcode: string, body: () => Promise<void>) => {
    await dataSource.query(`
      CREATE FUNCTION test_refuse_stream() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.stream_id = '${streamId}' THEN RAISE EXCEPTION '${message}' USING ERRCODE = '${errcode}'; END IF;
        RETURN NEW;
      END $$`);
    await dataSource.query(`CREATE TRIGGER test_refuse_stream BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION test_refuse_stream()`);
    try {
      await body();
    } finally {
      await dataSource.query(`DROP TRIGGER test_refuse_stream ON events`);
      await dataSource.query(`DROP FUNCTION test_refuse_stream()`);
    }
  };

  it('appends to different streams made while a statement is in flight share the next one, each in its stream order', async () => {
    const grouped = serialStore();
    const ids = Array.from({ length: 40 }, () => randomUUID());
    await Promise.all(ids.map((id) => grouped.append(CONTRACT_STREAM, id, 0, ordered(id))));
    const txs = await transactionsOf(ids);
    expect(txs).toHaveLength(40);
    // The first append went alone; the 39 that arrived while it was written shared one statement.
    expect(new Set(txs.map((t) => t.tx)).size).toBe(2);
    await Promise.all(ids.map((id) => grouped.append(CONTRACT_STREAM, id, 1, handOver())));
    for (const id of ids) {
      const stream = await store.readStream(id);
      expect(stream.map((e) => [e.version, e.type])).toEqual([[1, 'ContractOrdered'], [2, 'CredentialsHandedOver']]);
      expect(await store.verify(id)).toEqual({ valid: true, events: 2 });
    }
    const rows: { status: string; version: number }[] = await dataSource.query(`SELECT status, version FROM contracts WHERE id = ANY($1::uuid[])`, [ids]);
    expect(rows.map((r) => [r.status, r.version])).toEqual(Array(40).fill(['active', 2]));
  });

  it('a member whose stream moved meanwhile gets a concurrency error; the rest of its group commits', async () => {
    const grouped = serialStore();
    const [blocker, a, moved, c] = Array.from({ length: 4 }, () => randomUUID());
    await Promise.all([blocker, a, moved, c].map((id) => grouped.append(CONTRACT_STREAM, id!, 0, ordered(id!))));
    // Another process moves one stream behind this store's cached head.
    await createEventStore(dataSource).append(CONTRACT_STREAM, moved!, 1, toNewEvents(contractStream, [f.contractCancelled('2027-02-01T00:00:00.000Z')]));
    const results = await Promise.allSettled([
      grouped.append(CONTRACT_STREAM, blocker!, 1, handOver()),
      grouped.append(CONTRACT_STREAM, a!, 1, handOver()),
      grouped.append(CONTRACT_STREAM, moved!, 1, handOver()),
      grouped.append(CONTRACT_STREAM, c!, 1, handOver()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    const txs = await transactionsOf([a!, c!]);
    expect(txs.filter((t) => t.stream_id === a).at(-1)!.tx).toBe(txs.filter((t) => t.stream_id === c).at(-1)!.tx);
    expect((await store.readStream(moved!)).map((e) => e.type)).toEqual(['ContractOrdered', 'ContractCancelled']);
    expect(await count(`SELECT count(*) AS n FROM contracts WHERE id = $1 AND status = 'cancelled'`, [moved])).toBe(1);
    // Every read model row is at its stream's version: nothing of the stale member was written.
    const rows: { id: string; version: number; stream_version: number }[] = await dataSource.query(
      `SELECT c.id, c.version, s.version AS stream_version FROM contracts c JOIN streams s ON s.stream_id = c.id::text WHERE c.id = ANY($1::uuid[])`,
      [[blocker, a, moved, c]],
    );
    expect(rows.filter((r) => r.version !== r.stream_version)).toEqual([]);
    expect(await count(`SELECT count(*) AS n FROM deadlines WHERE contract_id = $1`, [moved])).toBe(0);
  });

  it('a member that makes its group fail is tried alone: only it fails, the others commit', async () => {
    const grouped = serialStore();
    const [blocker, a, poisoned, c] = Array.from({ length: 4 }, () => randomUUID());
    await whileInsertsOf(poisoned!, 'refused by the test', 'check_violation', async () => {
      const results = await Promise.allSettled([blocker, a, poisoned, c].map((id) => grouped.append(CONTRACT_STREAM, id!, 0, ordered(id!))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
      expect(String((results[2] as PromiseRejectedResult).reason)).toContain('refused by the test');
    });
    for (const id of [blocker, a, c]) expect(await store.readStream(id!)).toHaveLength(1);
    expect(await store.readStream(poisoned!)).toHaveLength(0);
    expect(await count(`SELECT count(*) AS n FROM streams WHERE stream_id = $1`, [poisoned])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM contracts WHERE id = $1`, [poisoned])).toBe(0);
    // The stream is usable afterwards.
    await grouped.append(CONTRACT_STREAM, poisoned!, 0, ordered(poisoned!));
    expect(grouped.stats.groupsSplit).toBe(1);
  });

  it('a member whose read model cannot be built fails alone; the others commit', async () => {
    const [blocker, a, poisoned, c] = Array.from({ length: 4 }, () => randomUUID());
    const state: StreamState<null> = { streamType: CONTRACT_STREAM, stateSql: `SELECT NULL::jsonb AS state, 0 AS version WHERE $1::text IS NULL`, fold: () => null };
    const projection: InlineProjection<null> = {
      name: 'poisoned',
      streamType: CONTRACT_STREAM,
      handles: 'every event',
      writeCtes: (writes) => {
        if (writes.some((w) => w.streamId === poisoned)) throw new Error('this read model cannot be built');
        return [];
      },
    };
    const grouped = new EventStore(dataSource, { schemas: [{ streamType: CONTRACT_STREAM, eventVersions: contractStream.eventVersions }], states: [state], projections: [projection], groupCommit: { maxStatements: 1 } });
    const results = await Promise.allSettled([blocker, a, poisoned, c].map((id) => grouped.append(CONTRACT_STREAM, id!, 0, ordered(id!))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(grouped.stats.groupsSplit).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id = ANY($1)`, [[blocker, a, poisoned, c]])).toBe(3);
  });

  it('a failure that is no member\'s doing (the server going away) reaches every member at once, without retrying them one by one', async () => {
    const grouped = serialStore();
    const [blocker, a, b, c] = Array.from({ length: 4 }, () => randomUUID());
    await whileInsertsOf(b!, 'the test plays a shutdown', 'admin_shutdown', async () => {
      const results = await Promise.allSettled([blocker, a, b, c].map((id) => grouped.append(CONTRACT_STREAM, id!, 0, ordered(id!))));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
      for (const r of results.slice(1)) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: '57P01' });
    });
    expect(grouped.stats.groupsSplit).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id = ANY($1)`, [[a, b, c]])).toBe(0);
    // The callers retry (as activities do), and then everything is written.
    await Promise.all([a, b, c].map((id) => grouped.append(CONTRACT_STREAM, id!, 0, ordered(id!))));
    expect(await count(`SELECT count(*) AS n FROM events WHERE stream_id = ANY($1)`, [[a, b, c]])).toBe(3);
  });

  it('new and existing streams share one statement', async () => {
    const grouped = serialStore();
    const existing = Array.from({ length: 5 }, () => randomUUID());
    const fresh = Array.from({ length: 5 }, () => randomUUID());
    const blocker = randomUUID();
    await Promise.all(existing.map((id) => grouped.append(CONTRACT_STREAM, id, 0, ordered(id))));
    await Promise.all([
      grouped.append(CONTRACT_STREAM, blocker, 0, ordered(blocker)),
      ...existing.map((id) => grouped.append(CONTRACT_STREAM, id, 1, handOver())),
      ...fresh.map((id) => grouped.append(CONTRACT_STREAM, id, 0, ordered(id))),
    ]);
    // Rows come in position order: the last one of each stream is its latest write.
    const latest = new Map((await transactionsOf([...existing, ...fresh])).map((t) => [t.stream_id, t.tx]));
    expect(new Set([...existing, ...fresh].map((id) => latest.get(id))).size).toBe(1);
    const rows: { version: number }[] = await dataSource.query(`SELECT version FROM contracts WHERE id = ANY($1::uuid[]) ORDER BY id`, [[...existing, ...fresh]]);
    expect(rows.map((r) => r.version).sort()).toEqual([...Array(5).fill(1), ...Array(5).fill(2)]);
    expect(grouped.stats.groupsSplit).toBe(0);
  });

  it('refuses group commit settings that could never write', () => {
    for (const groupCommit of [{ maxStatements: 0 }, { maxAppends: Number.NaN }, { maxBytes: 1.5 }]) {
      expect(() => createEventStore(dataSource, { groupCommit })).toThrow(expect.objectContaining({ code: 'event_store.invalid_option' }));
    }
  });

  it('two processes racing group appends to the same streams in opposite orders: one winner per stream, every loser a concurrency error', async () => {
    const other = createDataSource({ url: db.url, poolSize: 4 });
    await other.initialize();
    try {
      const mine = createEventStore(dataSource);
      const theirs = createEventStore(other);
      const ids = Array.from({ length: 60 }, () => randomUUID());
      await Promise.all(ids.map((id) => mine.append(CONTRACT_STREAM, id, 0, ordered(id))));
      for (let round = 1; round <= 3; round++) {
        const at = `2027-02-0${round}T00:00:00.000Z`;
        const outcomes = await Promise.allSettled([
          ...ids.map((id) => mine.append(CONTRACT_STREAM, id, round, toNewEvents(contractStream, [f.handedOver(at, { credentialId: `mine-${round}`, first: round === 1 })]))),
          ...[...ids].reverse().map((id) => theirs.append(CONTRACT_STREAM, id, round, toNewEvents(contractStream, [f.handedOver(at, { credentialId: `theirs-${round}`, first: round === 1 })]))),
        ]);
        const errors = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => o.reason as unknown);
        expect(errors.filter((e) => !(e instanceof ConcurrencyError))).toEqual([]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(ids.length);
        for (const id of ids) expect(await store.streamVersion(id)).toBe(round + 1);
      }
      for (const id of ids) expect((await store.verify(id)).valid).toBe(true);
      // Groups formed, and none had to be split (a deadlock or a bad statement shape would split them).
      expect(mine.stats.appends + theirs.stats.appends).toBeGreaterThan(mine.stats.statements + theirs.stats.statements);
      expect(mine.stats.groupsSplit + theirs.stats.groupsSplit).toBe(0);
    } finally {
      await other.destroy();
    }
  });
});

describe('hash chain', () => {
  it('detects an event changed behind the store\'s back, and names it', async () => {
    const id = randomUUID();
    await store.append(CONTRACT_STREAM, id, 0, ordered(id));
    await store.append(CONTRACT_STREAM, id, 1, toNewEvents(contractStream, [f.handedOver('2027-02-01T00:00:00.000Z')]));
    await store.append(CONTRACT_STREAM, id, 2, toNewEvents(contractStream, [f.contractTerminated('2027-03-01T00:00:00.000Z')]));
    expect(await store.verify(id)).toEqual({ valid: true, events: 3 });

    // The table refuses updates outright…
    await expect(dataSource.query(`UPDATE events SET data = data WHERE stream_id = $1`, [id])).rejects.toThrow(/append-only/);
    // …so an attacker with superuser rights bypasses the trigger; the chain still tells.
    const raw = new Client({ connectionString: db.url });
    await raw.connect();
    await raw.query(`SET session_replication_role = replica`);
    await raw.query(`UPDATE events SET data = jsonb_set(data, '{reason}', '"nothing to see"') WHERE stream_id = $1 AND version = 3`, [id]);
    await raw.end();
    expect(await store.verify(id)).toMatchObject({ valid: false, brokenAt: 3 });
  });

  it('detects a deleted event', async () => {
    const id = randomUUID();
    await store.append(CONTRACT_STREAM, id, 0, ordered(id));
    await store.append(CONTRACT_STREAM, id, 1, toNewEvents(contractStream, [f.handedOver('2027-02-01T00:00:00.000Z')]));
    await store.append(CONTRACT_STREAM, id, 2, toNewEvents(contractStream, [f.contractTerminated('2027-03-01T00:00:00.000Z')]));
    const raw = new Client({ connectionString: db.url });
    await raw.connect();
    await raw.query(`SET session_replication_role = replica`);
    await raw.query(`DELETE FROM events WHERE stream_id = $1 AND version = 2`, [id]);
    await raw.end();
    expect(await store.verify(id)).toMatchObject({ valid: false, brokenAt: 2 });
  });
});

describe('read models', () => {
  // Their own database: the tests above leave deliberately corrupted streams behind.
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: EventStore;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource({ url: db.url, poolSize: 20 });
    await dataSource.initialize();
    store = createEventStore(dataSource);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });
  const count = async (sql: string) => Number((await dataSource.query(sql))[0].n);
  const snapshot = async () => ({
    // Timestamps as text too: node-postgres' Date would hide a difference below the millisecond.
    contracts: await dataSource.query(`SELECT *, updated_at::text AS updated_at_exact FROM contracts ORDER BY id`),
    deadlines: await dataSource.query(`SELECT * FROM deadlines ORDER BY stream_type, stream_id, kind`),
    renewals: await dataSource.query(`SELECT * FROM contract_renewals ORDER BY contract_id, outcome, seq`),
  });

  it('keep each renewal-history entry as a row written once; the state read back is the domain\'s, history included', async () => {
    const random = prng(4242);
    const contracts = [];
    for (let i = 0; i < 40; i++) contracts.push(await randomLifecycle(store, random));
    const lists = { renewals: 0, rejectedRenewals: 0, withdrawnRenewals: 0 };
    for (const c of contracts) {
      if (c.state.status === 'none') continue;
      for (const list of Object.keys(lists) as (keyof typeof lists)[]) lists[list] += c.state[list].length;
    }
    // The workload reaches every list, so a list lost on the way would show.
    expect(Math.min(...Object.values(lists))).toBeGreaterThan(0);
    const counts: { outcome: string; n: string }[] = await dataSource.query(`SELECT outcome, count(*) AS n FROM contract_renewals GROUP BY outcome`);
    expect(Object.fromEntries(counts.map((r) => [r.outcome, Number(r.n)]))).toEqual({
      accepted: lists.renewals,
      rejected: lists.rejectedRenewals,
      withdrawn: lists.withdrawnRenewals,
    });
    // The document no longer carries the lists: they are not rewritten at every event.
    expect(await count(`SELECT count(*) AS n FROM contracts WHERE state ?| array['renewals', 'rejectedRenewals', 'withdrawnRenewals']`)).toBe(0);

    const ids = contracts.filter((c) => c.state.status !== 'none').map((c) => c.contractId);
    const rows: { id: string; state: unknown }[] = await dataSource.query(`SELECT c.id, ${contractStateSql('c')} AS state FROM contracts c WHERE c.id = ANY($1::uuid[])`, [ids]);
    const read = new Map(rows.map((r) => [r.id, r.state]));
    for (const c of contracts) if (c.state.status !== 'none') expect(read.get(c.contractId)).toEqual(c.state);

  });

  /** A contract ordered and handed over through `store`. */
  const activeContract = async (): Promise<SimulatedContract> => {
    const c: SimulatedContract = { contractId: randomUUID(), state: initialState(), version: 0, events: [] };
    await run(store, c, f.orderContract({ contractId: c.contractId, orderedAt: '2027-01-10T09:00:00.000Z' }));
    await run(store, c, f.handOverCredentials('2027-01-31T10:00:00.000Z', randomUUID()));
    return c;
  };

  it('an append merges only the fields it changed into the stored document', async () => {
    const c = await activeContract();
    // A mark in a field no renewal touches: a document written whole would lose it.
    await dataSource.query(`UPDATE contracts SET state = jsonb_set(state, '{billingPeriod}', '"marked"') WHERE id = $1`, [c.contractId]);
    const end = (c.state as { termEnd: string }).termEnd;
    await run(store, c, f.acceptRenewal('inv-1', end, addDuration(end, 'P1M'), end));
    const [row] = (await dataSource.query(`SELECT state, version, term_end FROM contracts WHERE id = $1`, [c.contractId])) as { state: Record<string, unknown>; version: number; term_end: Date }[];
    expect(row!.state['billingPeriod']).toBe('marked');
    expect(row!.state['termEnd']).toBe(addDuration(end, 'P1M'));
    expect(row!.version).toBe(c.version);
    expect(row!.term_end.toISOString()).toBe(addDuration(end, 'P1M'));
    // The mark goes, so that the rebuild below compares rows the store wrote.
    await dataSource.query(`UPDATE contracts SET state = jsonb_set(state, '{billingPeriod}', to_jsonb($2::text)) WHERE id = $1`, [c.contractId, (c.state as { billingPeriod: string }).billingPeriod]);
  });

  it('a read model that fell behind its stream, or lost its row, catches up at the next append: the stream is never blocked', async () => {
    const readBack = async (id: string) => {
      const [row] = (await dataSource.query(`SELECT ${contractStateSql('c')} AS state, c.version, c.status FROM contracts c WHERE c.id = $1`, [id])) as { state: unknown; version: number; status: string }[];
      return row;
    };
    const clocksOf = async (id: string) =>
      ((await dataSource.query(`SELECT kind, due_at FROM deadlines WHERE stream_id = $1 ORDER BY kind`, [id])) as { kind: string; due_at: Date }[]).map((r) => ({ kind: r.kind, at: r.due_at.toISOString() }));
    const expectCurrent = async (c: SimulatedContract) => {
      const folded = foldEvents(await store.readStream(c.contractId));
      const row = await readBack(c.contractId);
      expect(row?.version).toBe(c.version);
      expect(row?.state).toEqual(JSON.parse(JSON.stringify(folded)));
      expect(await clocksOf(c.contractId)).toEqual([...openClocks(folded)].sort((a, b) => a.kind.localeCompare(b.kind)).map((d) => ({ kind: d.kind, at: d.at })));
    };

    // Behind: a process that wrote the events without the read models (as a read model added later would find them).
    const behind = await activeContract();
    const blind = new EventStore(dataSource, { schemas: [{ streamType: CONTRACT_STREAM, eventVersions: contractStream.eventVersions }] });
    const end = (behind.state as { termEnd: string }).termEnd;
    expect(await run(blind, behind, f.acceptRenewal('behind-1', end, addDuration(end, 'P1M'), end))).toHaveLength(1);
    expect((await readBack(behind.contractId))?.version).toBe(2);
    // A fresh store (no cached head): its append folds the event the row lacks and writes it current —
    // the inbox too (the renewal moved the term end), although the append's own event moves no clock.
    expect(await run(createEventStore(dataSource), behind, f.noticeNonRenewal('2027-02-10T00:00:00.000Z'))).toHaveLength(1);
    await expectCurrent(behind);
    expect((await clocksOf(behind.contractId)).map((c) => c.at)).toContain(addDuration(end, 'P1M'));

    // Lost: the row deleted outright, its renewal history and clocks left as they were.
    const lost = await activeContract();
    const lostEnd = (lost.state as { termEnd: string }).termEnd;
    expect(await run(store, lost, f.acceptRenewal('lost-1', lostEnd, addDuration(lostEnd, 'P1M'), lostEnd))).toHaveLength(1);
    await dataSource.query(`DELETE FROM contracts WHERE id = $1`, [lost.contractId]);
    const next = (lost.state as { termEnd: string }).termEnd;
    expect(await run(createEventStore(dataSource), lost, f.acceptRenewal('lost-2', next, addDuration(next, 'P1M'), next))).toHaveLength(1);
    await expectCurrent(lost);
  });

  it('a store that did not write a stream reads its head, history included, and extends the history where it ends', async () => {
    const c = await activeContract();
    const renew = async (on: EventStore, invoiceId: string) => {
      const end = (c.state as { termEnd: string }).termEnd;
      expect(await run(on, c, f.acceptRenewal(invoiceId, end, addDuration(end, 'P1M'), end))).toHaveLength(1);
    };
    for (const invoice of ['inv-1', 'inv-2', 'inv-3']) await renew(store, invoice);
    expect(await run(store, c, f.rejectRenewal('rejected-1', '2027-03-01T00:00:00.000Z'))).toHaveLength(1);

    const other = createEventStore(dataSource);
    await renew(other, 'inv-4');
    expect(await run(other, c, f.rejectRenewal('rejected-2', '2027-06-01T00:00:00.000Z', 'payment failed'))).toHaveLength(1);
    expect(await run(other, c, f.withdrawRenewal('withdrawn-1', '2027-06-02T00:00:00.000Z'))).toHaveLength(1);
    // The domain decides from the history the store read: a repeated invoice is recognised.
    expect(await run(other, c, f.rejectRenewal('rejected-1', '2027-06-03T00:00:00.000Z'))).toHaveLength(0);

    const rows: { outcome: string; seq: number; invoice_id: string }[] = await dataSource.query(
      `SELECT outcome, seq, invoice_id FROM contract_renewals WHERE contract_id = $1 ORDER BY outcome, seq`,
      [c.contractId],
    );
    expect(rows.map((r) => `${r.outcome} ${r.seq} ${r.invoice_id}`)).toEqual([
      'accepted 1 inv-1',
      'accepted 2 inv-2',
      'accepted 3 inv-3',
      'accepted 4 inv-4',
      'rejected 1 rejected-1',
      'rejected 2 rejected-2',
      'withdrawn 1 withdrawn-1',
    ]);
    const [read] = (await dataSource.query(`SELECT ${contractStateSql('c')} AS state FROM contracts c WHERE c.id = $1`, [c.contractId])) as { state: unknown }[];
    expect(read!.state).toEqual(c.state);
  });

  it('after a randomized lifecycle workload, the rebuilt read models equal the inline ones row for row', async () => {
    const random = prng(20271231);
    const contracts = [];
    for (let i = 0; i < 60; i++) contracts.push(await randomLifecycle(store, random));
    const statuses = new Set(contracts.map((c) => c.state.status));
    expect(statuses.size).toBeGreaterThanOrEqual(4);

    const inline = await snapshot();
    expect(inline.contracts.length).toBeGreaterThanOrEqual(60);
    // The inbox holds exactly each contract's open clocks, as the domain folds them from its events.
    let clocks = 0;
    for (const { contractId: id } of contracts) {
      const expected = openClocks(foldEvents(await store.readStream(id))).map((c) => ({ kind: c.kind, due_at: c.at }));
      clocks += expected.length;
      const rows = (inline.deadlines as { stream_type: string; stream_id: string; kind: string; due_at: Date; contract_id: string }[]).filter((r) => r.stream_id === id);
      expect(rows.every((r) => r.stream_type === 'contract' && r.contract_id === id)).toBe(true);
      expect(rows.map((r) => ({ kind: r.kind, due_at: r.due_at.toISOString() })).sort((a, b) => a.kind.localeCompare(b.kind))).toEqual(expected.sort((a, b) => a.kind.localeCompare(b.kind)));
    }
    expect(clocks).toBeGreaterThan(10);
    expect(inline.renewals.length).toBeGreaterThan(0);
    await dataSource.query(`UPDATE contracts SET status = 'corrupted'`);
    await dataSource.query(`DELETE FROM deadlines`);
    await dataSource.query(`DELETE FROM contract_renewals WHERE seq > 1`);
    const report = await rebuildProjections(dataSource);
    expect(report.files.contract).toBe(inline.contracts.length);
    const rebuilt = await snapshot();
    expect(rebuilt.contracts).toEqual(inline.contracts);
    expect(rebuilt.deadlines).toEqual(inline.deadlines);
    expect(rebuilt.renewals).toEqual(inline.renewals);
  });

  it('a rebuild catches up with appends made while it runs', async () => {
    const random = prng(7);
    const writers = Promise.all(Array.from({ length: 15 }, () => randomLifecycle(store, random)));
    await rebuildProjections(dataSource);
    await writers;
    const inline = await snapshot();
    await rebuildProjections(dataSource);
    expect(await snapshot()).toEqual(inline);
    const behind = await count(`SELECT count(*) AS n FROM streams s LEFT JOIN contracts c ON c.id::text = s.stream_id WHERE s.stream_type = 'contract' AND c.version IS DISTINCT FROM s.version AND s.version > 0 AND EXISTS (SELECT 1 FROM events e WHERE e.stream_id = s.stream_id AND e.type = 'ContractOrdered')`);
    expect(behind).toBe(0);
  });
});
