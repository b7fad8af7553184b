import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataSource } from 'typeorm';
import { createDataSource } from '#infra/database/data-source';
import { createEventStore } from '#infra/event-store/streams';
import { DeadlineQueries, type WorkFilter, type WorkItem } from '../../apps/api/src/deadlines/deadlines.service';
import { seedContracts, seedFiles } from '../../bench/seed-files';
import { createTestDatabase, type TestDatabase } from '../support/database';

/**
 * The inbox's worklist (the browser's, DESIGN §7) against PostgreSQL with files of every type, as
 * bench:ui writes them: its rows are the `deadlines` read model's, one per clock except the breach
 * notices' (one per incident and kind), in due order, paged without a row lost or repeated. The
 * expectation is computed here from the raw rows, apart from the query under test.
 */

let db: TestDatabase;
let dataSource: DataSource;
let queries: DeadlineQueries;
const NOW = new Date();

beforeAll(async () => {
  db = await createTestDatabase();
  dataSource = createDataSource({ url: db.url, poolSize: 4, applicationName: 'worklist-test' });
  await dataSource.initialize();
  const store = createEventStore(dataSource);
  // 250 contracts: three incidents (100, 100 and 50 notices), a sub-processor change, the roster.
  const { seeded } = await seedContracts(store, 250, 4);
  await seedFiles(store, seeded, 4);
  queries = new DeadlineQueries(dataSource);
}, 120_000);
afterAll(async () => {
  await dataSource?.destroy();
  await db?.drop();
});

interface Raw {
  stream_type: string;
  stream_id: string;
  kind: string;
  due_at: Date;
  contract_id: string | null;
  incident_id: string | null;
  controller_name: string | null;
}

/** The worklist, worked out in this test from every clock: single rows, and breach notices grouped by incident and kind. */
async function expected(filter: WorkFilter): Promise<{ key: string; count: number; overdue: number }[]> {
  const raw = (await dataSource.query(
    `SELECT d.stream_type, d.stream_id, d.kind, d.due_at, d.contract_id::text AS contract_id, b.incident_id::text AS incident_id, c.controller_name
       FROM deadlines d LEFT JOIN contracts c ON c.id = d.contract_id LEFT JOIN breach_notices b ON d.stream_type = 'breach-notice' AND b.id::text = d.stream_id`,
  )) as Raw[];
  const kept = raw.filter(
    (r) =>
      (!filter.kind || r.kind === filter.kind) &&
      (!filter.controller || (r.controller_name ?? '').toLowerCase().includes(filter.controller.toLowerCase())) &&
      (!filter.overdue || r.due_at.getTime() < NOW.getTime()),
  );
  const rows = new Map<string, { due: number; type: string; id: string; kind: string; count: number; overdue: number }>();
  for (const r of kept) {
    const group = r.stream_type === 'breach-notice' ? `${r.incident_id}|${r.kind}` : `${r.stream_type}|${r.stream_id}|${r.kind}`;
    const due = r.due_at.getTime();
    const row = rows.get(group);
    const late = due < NOW.getTime() ? 1 : 0;
    // A group stands at its earliest clock; of clocks due together, the lowest notice id.
    if (!row) rows.set(group, { due, type: r.stream_type, id: r.stream_id, kind: r.kind, count: 1, overdue: late });
    else rows.set(group, { ...(due < row.due || (due === row.due && r.stream_id < row.id) ? { due, id: r.stream_id } : { due: row.due, id: row.id }), type: row.type, kind: row.kind, count: row.count + 1, overdue: row.overdue + late });
  }
  const byte = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows.values()]
    .sort((a, b) => a.due - b.due || byte(a.type, b.type) || byte(a.id, b.id) || byte(a.kind, b.kind))
    .map((r) => ({ key: `${r.type}|${r.id}|${r.kind}|${new Date(r.due).toISOString()}`, count: r.count, overdue: r.overdue }));
}

const shape = (i: WorkItem) => ({ key: `${i.type}|${i.fileId}|${i.kind}|${i.dueAt}`, count: i.count, overdue: i.overdueCount });

/** Every page of the worklist at `size` rows a page, checking each page's `more`. */
async function allPages(filter: WorkFilter, size: number): Promise<WorkItem[]> {
  const items: WorkItem[] = [];
  for (let page = 0; ; page++) {
    if (page > 1000) throw new Error('the worklist never ends');
    const { items: rows, more } = await queries.worklist(filter, size, page * size, NOW);
    items.push(...rows);
    if (!more) return items;
    expect(rows).toHaveLength(size);
  }
}

describe('the worklist', () => {
  it('is every clock in due order, the breach notices one row per incident and kind; paged, it loses and repeats nothing', async () => {
    const want = await expected({});
    expect(want.length).toBeGreaterThan(500);
    // The incidents' notices: 250 notices' clocks in a handful of rows.
    const grouped = want.filter((r) => r.key.startsWith('breach-notice|'));
    expect(grouped.length).toBeGreaterThanOrEqual(3);
    expect(grouped.reduce((n, r) => n + r.count, 0)).toBeGreaterThanOrEqual(250);
    const { items: first, more } = await queries.worklist({}, 100, 0, NOW);
    expect(more).toBe(true);
    expect(first.map(shape)).toEqual(want.slice(0, 100));
    expect((await allPages({}, 97)).map(shape)).toEqual(want);
  });

  it('filters by kind, by controller and overdue, on both the single rows and the grouped ones, paged alike', async () => {
    for (const filter of [{ kind: 'breach-notice-target' }, { kind: 'subject-request-deadline' }, { controller: 'controller 1' }, { overdue: true }, { controller: 'CONTROLLER 2', overdue: true }] as WorkFilter[]) {
      const want = await expected(filter);
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect((await allPages(filter, 40)).map(shape), JSON.stringify(filter)).toEqual(want);
    }
    expect((await queries.worklist({ controller: 'no such controller' }, 100, 0, NOW)).items).toEqual([]);
  });

  it('past its end, a page is empty and says there is no more', async () => {
    const want = await expected({});
    expect(await queries.worklist({}, 100, want.length, NOW)).toEqual({ items: [], more: false });
    const last = await queries.worklist({}, 100, want.length - 1, NOW);
    expect(last.items.map(shape)).toEqual(want.slice(-1));
    expect(last.more).toBe(false);
  });
});
