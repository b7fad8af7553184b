import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { addDuration, decide, evolve, FILE_TYPES, initialState, type ContractCommand, type ContractState } from '#domain';
import * as f from '#domain/testing';
import { migrate } from '#infra/database/data-source';
import { migrations } from '#infra/database/migrations';
import { contractStateSql } from '#infra/event-store/contract-projection';
import { createTestDatabase, type TestDatabase } from '../support/database';

async function schemaOf(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ line: string }>(`
      SELECT table_name || '.' || column_name || ':' || data_type AS line
      FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'trigger ' || tgname FROM pg_trigger WHERE NOT tgisinternal
      ORDER BY 1`);
    return rows.map((r) => r.line);
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  const databases: TestDatabase[] = [];
  afterAll(async () => Promise.all(databases.map((d) => d.drop())));

  it('apply to an empty database, and a second run changes nothing', async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    expect(await schemaOf(db.url)).toEqual([]);

    const applied = await migrate(db.url);
    expect(applied).toEqual(migrations.map((m) => m.name));
    const schema = await schemaOf(db.url);
    expect(schema).toEqual(expect.arrayContaining(['events.position:bigint', 'streams.version:integer', 'contracts.state:jsonb']));
    // Every declared file type's read model has the row the registry derives: id, status, the instant it is listed by, version, state; its contract's id under a contract.
    for (const type of FILE_TYPES) {
      const model = type.readModel;
      const table = model.table;
      const own = 'custom' in model ? [] : [`${table}.${model.listedAtColumn ?? 'received_at'}:timestamp with time zone`, ...(model.columns ?? []).map((c) => `${table}.${c.name}:${c.type === 'timestamptz' ? 'timestamp with time zone' : c.type}`)];
      const parent = type.parent === 'contract' ? [`${table}.contract_id:uuid`] : [];
      expect(schema, type.name).toEqual(expect.arrayContaining([`${table}.id:uuid`, `${table}.status:text`, `${table}.version:integer`, `${table}.state:jsonb`, ...parent, ...own]));
    }

    expect(await migrate(db.url)).toEqual([]);
    expect(await schemaOf(db.url)).toEqual(schema);
    // Identifiers compare byte by byte, whatever the database's locale.
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT table_name || '.' || column_name AS col, collation_name FROM information_schema.columns
       WHERE (table_name, column_name) IN (('streams', 'stream_id'), ('events', 'stream_id'), ('events', 'event_id')) ORDER BY 1`,
    );
    await client.end();
    expect(rows).toEqual(['events.event_id', 'events.stream_id', 'streams.stream_id'].map((col) => ({ col, collation_name: 'C' })));
  });

  it('two processes migrating at once apply each migration exactly once', async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    const [a, b] = await Promise.all([migrate(db.url), migrate(db.url)]);
    expect([...a, ...b].sort()).toEqual(migrations.map((m) => m.name).sort());
  });

  it('moving the renewal history out of the contract document keeps every entry, in order, and undoing the migrations since puts them back', async () => {
    const db = await createTestDatabase({ migrate: false });
    databases.push(db);
    const before = migrations.slice(0, migrations.findIndex((m) => m.name === 'RenewalHistory1796000004000'));
    const old = new DataSource({ type: 'postgres', url: db.url, migrations: before, migrationsTableName: 'schema_migrations' });
    await old.initialize();
    await old.runMigrations({ transaction: 'each' });
    // Rows as the store wrote them before: the whole state, history included, in the document.
    const states = [withHistory(3, 1, 1), withHistory(2, 0, 0), withHistory(0, 0, 0)];
    for (const state of states) {
      if (state.status === 'none') throw new Error('unreachable');
      await old.query(
        `INSERT INTO contracts (id, status, controller_name, controller_email, ordered_at, destruction_status, version, state)
         VALUES ($1, $2, $3, $4, $5, 'none', 1, $6)`,
        [state.contractId, state.status, state.controller.name, state.controller.email, state.orderedAt, JSON.stringify(state)],
      );
    }
    const wholeStates = async (ds: DataSource, sql: string) =>
      new Map(((await ds.query(sql)) as { id: string; state: unknown }[]).map((r) => [r.id, r.state]));
    const expected = new Map(states.map((s) => [(s as { contractId: string }).contractId, s as unknown]));

    expect(await migrate(db.url)).toEqual(migrations.slice(before.length).map((m) => m.name));
    expect(await wholeStates(old, `SELECT c.id, ${contractStateSql('c')} AS state FROM contracts c`)).toEqual(expected);
    expect(Number((await old.query(`SELECT count(*) AS n FROM contract_renewals`))[0].n)).toBe(3 + 1 + 1 + 2);
    expect(Number((await old.query(`SELECT count(*) AS n FROM contracts WHERE state ? 'renewals'`))[0].n)).toBe(0);
    // The inbox was filled from the stored states: each active contract's term end.
    const termEnds = states.map((s) => ({ stream_type: 'contract', stream_id: (s as { contractId: string }).contractId, kind: 'term-end', due_at: (s as { termEnd: string }).termEnd }));
    const inbox = (await old.query(`SELECT stream_type, stream_id, kind, due_at FROM deadlines`)) as { stream_type: string; stream_id: string; kind: string; due_at: Date }[];
    expect(inbox.map((r) => ({ ...r, due_at: r.due_at.toISOString() })).sort((a, b) => a.stream_id.localeCompare(b.stream_id))).toEqual(termEnds.sort((a, b) => a.stream_id.localeCompare(b.stream_id)));

    const current = new DataSource({ type: 'postgres', url: db.url, migrations, migrationsTableName: 'schema_migrations' });
    await current.initialize();
    for (let undo = migrations.length - before.length; undo > 0; undo--) await current.undoLastMigration({ transaction: 'each' });
    expect(await wholeStates(current, `SELECT id, state FROM contracts`)).toEqual(expected);
    expect(await current.query(`SELECT to_regclass('contract_renewals') AS t`)).toEqual([{ t: null }]);
    await Promise.all([old.destroy(), current.destroy()]);
  });
});

/** A contract's state, decided by the domain, with renewals accepted, rejected and withdrawn. */
function withHistory(accepted: number, rejected: number, withdrawn: number): ContractState {
  let state = initialState();
  const apply = (command: ContractCommand) => {
    for (const e of decide(command, state)) state = evolve(state, e);
  };
  apply(f.orderContract({ contractId: randomUUID(), orderedAt: '2027-01-10T09:00:00.000Z' }));
  apply(f.handOverCredentials('2027-01-31T10:00:00.000Z', randomUUID()));
  for (let n = 1; n <= accepted; n++) {
    const end = (state as { termEnd: string }).termEnd;
    apply(f.acceptRenewal(`inv-${n}`, end, addDuration(end, 'P1M'), end));
  }
  for (let n = 1; n <= rejected; n++) apply(f.rejectRenewal(`rejected-${n}`, '2027-02-01T00:00:00.000Z', 'payment failed'));
  for (let n = 1; n <= withdrawn; n++) apply(f.withdrawRenewal(`withdrawn-${n}`, '2027-02-02T00:00:00.000Z'));
  return state;
}
