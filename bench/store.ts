import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import { type DataSource } from 'typeorm';
import { addDuration, contractStream, decide, evolve, initialState, type ContractCommand, type ContractEvent, type ContractState } from '#domain';
import * as f from '#domain/testing/factories';
import { createDataSource, migrate } from '#infra/database/data-source';
import { CONTRACT_STREAM, contractProjections, LIVE_TABLES } from '#infra/event-store/contract-projection';
import { createEventStore, toNewEvents } from '#infra/event-store/streams';
import { type EventStore, type InlineProjection, type NewEvent } from '#infra/event-store/event-store';
import { benchPostgres, combine, fmt, type Round } from './support';

/**
 * `npm run bench:store`: appends per second through the event store (hash chain, optimistic
 * concurrency, inline read models, group commit) against raw INSERTs of the same rows into a
 * plain table on the same database in the same run, for 1-event and 10-event appends, at each
 * number of concurrent writers in BENCH_WRITERS (each writer appends to one stream at a time, in
 * order, as one workflow does). Both sides are warmed up first, then measured in alternating
 * rounds. Last line: `ratio: <store ÷ raw>` for 1-event appends at the first number of writers.
 */
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1200);
const EVENTS_PER_STREAM = 20;
const WRITERS = (process.env.BENCH_WRITERS ?? '16,64').split(',').map(Number);
const WARM_UP_STREAMS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
/** BENCH_MACHINERY=0 skips measuring each piece of the store's machinery on and off. */
const MACHINERY = process.env.BENCH_MACHINERY !== '0';

/** A realistic stream: order, hand-over, then monthly renewals, all decided by the domain. */
function lifecycle(contractId: string): ContractEvent[] {
  let state: ContractState = initialState();
  const events: ContractEvent[] = [];
  const apply = (cmd: ContractCommand) => {
    for (const e of decide(cmd, state)) {
      state = evolve(state, e);
      events.push(e);
    }
  };
  apply(f.orderContract({ contractId, orderedAt: '2027-01-10T09:00:00.000Z' }));
  apply(f.handOverCredentials('2027-01-31T10:00:00.000Z', randomUUID()));
  for (let n = 1; events.length < EVENTS_PER_STREAM; n++) {
    const end = state.status === 'active' ? state.termEnd : '';
    apply(f.acceptRenewal(`inv-${n}`, end, addDuration('2027-01-31T10:00:00.000Z', 'P1M', n + 1), end));
  }
  return events;
}

async function main(): Promise<void> {
  const pg = await benchPostgres('store');
  await migrate(pg.url);
  const dataSource = createDataSource({ url: pg.url, poolSize: Math.max(...WRITERS) + 4 });
  await dataSource.initialize();
  const store = createEventStore(dataSource);
  const pool = (dataSource.driver as unknown as { master: Pool }).master;
  await dataSource.query(`CREATE TABLE IF NOT EXISTS bench_raw_events (LIKE events INCLUDING DEFAULTS)`);
  await dataSource.query(`ALTER TABLE bench_raw_events ALTER COLUMN position DROP IDENTITY IF EXISTS`);
  await dataSource.query(`ALTER TABLE bench_raw_events ALTER COLUMN position SET DEFAULT 0`);

  const storeAppend = (a: Append) => store.append(CONTRACT_STREAM, a.id, a.expected, a.events).then(() => {});
  const rawInsert = async (a: Append) => {
    const rows = a.events.map((e, i) => ({
      event_id: `${a.id}:${a.expected + i + 1}`,
      version: a.expected + i + 1,
      type: e.type,
      schema_version: e.schemaVersion,
      data: e.data,
      metadata: e.metadata ?? {},
      occurred_at: e.occurredAt,
      prev_hash: 'x'.repeat(64),
      hash: 'y'.repeat(64),
    }));
    // The same rows, through the same pool, as a prepared statement too: only the store's work differs.
    await pool.query({
      name: 'bench_raw_insert',
      text: `INSERT INTO bench_raw_events (event_id, stream_id, version, type, schema_version, data, metadata, occurred_at, prev_hash, hash)
       SELECT event_id, $1, version, type, schema_version, data, metadata, occurred_at, prev_hash, hash
       FROM jsonb_to_recordset($2::jsonb) AS x(event_id text, version int, type text, schema_version int, data jsonb, metadata jsonb, occurred_at timestamptz, prev_hash text, hash text)`,
      values: [a.id, JSON.stringify(rows)],
    });
  };

  console.log(
    `event store benchmark: ${STREAMS} streams × ${EVENTS_PER_STREAM} events per run in ${ROUNDS} rounds alternating store and raw, ${WRITERS.join(' and ')} concurrent writers, PostgreSQL with fsync on`,
  );
  await measureLanes(lanesFor(WARM_UP_STREAMS, 1), WRITERS[0]!, storeAppend);
  await measureLanes(lanesFor(WARM_UP_STREAMS, 1), WRITERS[0]!, rawInsert);

  const ratios: number[] = [];
  for (const writers of WRITERS) {
    for (const batch of [1, 10]) {
      // Rounds alternate store and raw (store, raw, raw, store, …): a slow spell of a shared
      // machine then weighs on both sides alike instead of on whichever ran during it.
      const store: Round[] = [];
      const raw: Round[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const lanes = lanesFor(Math.ceil(STREAMS / ROUNDS), batch);
        const order = round % 2 === 0 ? (['store', 'raw'] as const) : (['raw', 'store'] as const);
        for (const side of order) {
          if (side === 'store') store.push(await measureLanes(lanes, writers, storeAppend));
          else raw.push(await measureLanes(lanes, writers, rawInsert));
        }
      }
      const storeResult = combine(store);
      const rawResult = combine(raw);
      const ratio = storeResult.perSecond / rawResult.perSecond;
      if (batch === 1) ratios.push(ratio);
      console.log(
        `${writers} writers, ${batch}-event appends: store ${fmt(storeResult.perSecond)} appends/s (${fmt(storeResult.perSecond * batch)} events/s), ` +
          `p50 ${fmt(storeResult.p50, 2)} ms, p99 ${fmt(storeResult.p99, 2)} ms | raw INSERT ${fmt(rawResult.perSecond)} inserts/s, ` +
          `p50 ${fmt(rawResult.p50, 2)} ms, p99 ${fmt(rawResult.p99, 2)} ms | ratio ${fmt(ratio, 3)}`,
      );
    }
  }
  if (MACHINERY) await machinery(dataSource, rawInsert);
  await dataSource.destroy();
  await pg.stop();
  console.log(`ratio: ${fmt(ratios[0]!, 3)}`);
}

/**
 * Each piece of the store's machinery switched off in turn — group commit, the head cache, merged
 * documents, named prepared statements — against the full store and raw INSERTs, at the first
 * number of writers with 1-event appends, in alternating rounds of one run.
 */
async function machinery(dataSource: DataSource, rawInsert: (a: Append) => Promise<void>): Promise<void> {
  const writers = WRITERS[0]!;
  const variants: Record<string, (a: Append) => Promise<void>> = {};
  const through = (store: EventStore) => (a: Append) => store.append(CONTRACT_STREAM, a.id, a.expected, a.events).then(() => {});
  variants['full store'] = through(createEventStore(dataSource));
  variants['no group commit'] = through(createEventStore(dataSource, { groupCommit: { maxAppends: 1 } }));
  variants['no head cache'] = through(createEventStore(dataSource, { headCacheSize: 0 }));
  variants['no merged documents'] = through(createEventStore(dataSource, { projections: contractProjections(LIVE_TABLES, false) as InlineProjection[] }));
  variants['no named statements'] = through(createEventStore(dataSource, { preparedStatements: false }));
  variants['raw INSERT'] = rawInsert;
  const names = Object.keys(variants);
  const rounds: Record<string, Round[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      // Each round starts with another variant; each variant writes streams of its own.
      const name = names[(i + round) % names.length]!;
      (rounds[name] ??= []).push(await measureLanes(lanesFor(Math.ceil(STREAMS / ROUNDS / 2), 1), writers, variants[name]!));
    }
  }
  const raw = combine(rounds['raw INSERT']!).perSecond;
  for (const name of names) {
    const r = combine(rounds[name]!);
    console.log(`machinery, ${writers} writers, 1-event appends: ${name} ${fmt(r.perSecond)} appends/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ratio to raw ${fmt(r.perSecond / raw, 3)}`);
  }
}

interface Append {
  readonly id: string;
  readonly expected: number;
  readonly events: NewEvent[];
}

/** Fresh streams, each a lane of appends of `batch` events, in stream order. */
function lanesFor(streams: number, batch: number): Append[][] {
  return Array.from({ length: streams }, () => {
    const id = randomUUID();
    const events = toNewEvents(contractStream, lifecycle(id));
    const lane: Append[] = [];
    for (let i = 0; i < events.length; i += batch) lane.push({ id, expected: i, events: events.slice(i, i + batch) });
    return lane;
  });
}

async function measureLanes<T>(lanes: T[][], concurrency: number, task: (item: T) => Promise<void>): Promise<Round> {
  const queue = lanes.map((lane) => [...lane]);
  let laneIndex = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let l = laneIndex++; l < queue.length; l = laneIndex++) {
        for (const item of queue[l]!) {
          const t = performance.now();
          await task(item);
          latencies.push(performance.now() - t);
        }
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latencies };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
