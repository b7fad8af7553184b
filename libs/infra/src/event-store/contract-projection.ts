import { CONTRACT_CLOCK_EVENTS, contractStream, initialState, openClocks, type ContractState } from '#domain';
import { DeadlinesView } from './deadlines-projection';
import { type InlineProjection, type PendingEvent, type ProjectionWrite, type StreamState } from './event-store';

export const CONTRACT_STREAM = 'contract';

export interface ReadModelTables {
  readonly contracts: string;
  readonly deadlines: string;
  readonly renewals: string;
}

export const LIVE_TABLES: ReadModelTables = { contracts: 'contracts', deadlines: 'deadlines', renewals: 'contract_renewals' };

/**
 * The contract's renewal history: three lists that only ever grow (a monthly contract gains an
 * entry a month, for years). Each entry is a row of its own in the `renewals` table, written once,
 * instead of part of the `contracts.state` document rewritten at every event.
 */
export const RENEWAL_HISTORY = [
  { outcome: 'accepted', list: 'renewals' },
  { outcome: 'rejected', list: 'rejectedRenewals' },
  { outcome: 'withdrawn', list: 'withdrawnRenewals' },
] as const;

type OrderedState = Exclude<ContractState, { status: 'none' }>;

const HISTORY_LISTS: ReadonlySet<string> = new Set(RENEWAL_HISTORY.map((h) => h.list));

/** The columns the API filters on, each read from the document at `path` (its first step a top-level field). */
const FILTER_COLUMNS = [
  { column: 'reference', path: ['reference'], type: 'text' },
  { column: 'status', path: ['status'], type: 'text' },
  { column: 'controller_name', path: ['controller', 'name'], type: 'text' },
  { column: 'controller_email', path: ['controller', 'email'], type: 'text' },
  { column: 'ordered_at', path: ['orderedAt'], type: 'timestamptz' },
  { column: 'term_end', path: ['termEnd'], type: 'timestamptz' },
  { column: 'ended_at', path: ['endedAt'], type: 'timestamptz' },
  { column: 'destruction_status', path: ['destruction', 'status'], type: 'text' },
  { column: 'destruction_deadline', path: ['destruction', 'deadline'], type: 'timestamptz' },
] as const;

/** SQL over FILTER_COLUMNS, built once. */
const FILTER_SQL = {
  names: FILTER_COLUMNS.map((c) => c.column).join(', '),
  fromDocument: FILTER_COLUMNS.map((c) => `(x.state #>> '{${c.path.join(',')}}')::${c.type}`).join(', '),
  fromExcluded: FILTER_COLUMNS.map((c) => `${c.column} = EXCLUDED.${c.column}`).join(', '),
  // A column keeps its value unless the top-level field it comes from changed.
  fromChanged: FILTER_COLUMNS.map(
    (c) => `${c.column} = CASE WHEN x.changed ? '${c.path[0]}' THEN (x.changed #>> '{${c.path.join(',')}}')::${c.type} ELSE c.${c.column} END`,
  ).join(',\n           '),
};

/** The `contracts.state` document: the state without its renewal history. */
export function storedState(state: OrderedState): Record<string, unknown> {
  return Object.fromEntries(Object.entries(state).filter(([key]) => !HISTORY_LISTS.has(key)));
}

/**
 * SQL for the whole contract state of the `contracts` row aliased `row`: its document with the
 * renewal history put back in, each list in the order it grew.
 */
export function contractStateSql(row: string, tables: ReadModelTables = LIVE_TABLES): string {
  const lists = RENEWAL_HISTORY.map(
    ({ outcome, list }) =>
      `'${list}', coalesce((SELECT jsonb_agg(h.entry ORDER BY h.seq) FROM ${tables.renewals} h WHERE h.contract_id = ${row}.id AND h.outcome = '${outcome}'), '[]'::jsonb)`,
  );
  return `(${row}.state || jsonb_build_object(${lists.join(', ')}))`;
}

/** Folds stored events into the domain state, upcasting older schema versions on the way. */
export function foldEvents(events: readonly Pick<PendingEvent, 'type' | 'schemaVersion' | 'data'>[], state: ContractState = initialState()): ContractState {
  return events.reduce((s, e) => contractStream.evolve(s, contractStream.upcast({ type: e.type, schemaVersion: e.schemaVersion, data: e.data })), state);
}

/**
 * A contract stream's state, as the store keeps it at the head: the whole domain state, read from
 * the `contracts` row (with its renewal history put back) and folded over each append's events.
 */
export class ContractStateSource implements StreamState<ContractState> {
  readonly streamType = CONTRACT_STREAM;
  readonly stateSql: string;

  constructor(tables: ReadModelTables = LIVE_TABLES) {
    this.stateSql = `SELECT ${contractStateSql('c', tables)} AS state, c.version FROM ${tables.contracts} c WHERE c.id = $1::uuid`;
  }

  fold(state: ContractState | null, events: readonly PendingEvent[]): ContractState {
    return foldEvents(events, state ?? initialState());
  }
}

/**
 * The `contracts` read model (the domain state, with the columns the API filters on; the
 * DESIGN §6 representation is a pure function of the state) and its renewal history in
 * `contract_renewals`. Every event moves the row's version. `updated_at` is the time the last
 * event was recorded, so a rebuild reproduces rows exactly.
 */
export class ContractsView implements InlineProjection<ContractState> {
  readonly name = 'contracts';
  readonly streamType = CONTRACT_STREAM;
  readonly handles = 'every event';

  constructor(
    private readonly tables: ReadModelTables = LIVE_TABLES,
    /** Merge only the changed top-level fields into the stored document (default on; off only to measure it). */
    private readonly mergeChanges = true,
  ) {}

  writeCtes(writes: readonly ProjectionWrite<ContractState>[], { param, appended }: { param: (value: unknown) => string; appended: string }): string[] {
    const { contracts, renewals } = this.tables;
    const rows = writes.flatMap((w) => (w.state.status === 'none' ? [] : [{ ...w, state: w.state, previous: w.previous?.status === 'none' ? null : w.previous }]));
    // A contract whose previous state is known (it is what the row holds: the row moves with its
    // stream, in the same statement) gets only the top-level fields the append changed, merged into
    // the stored document; PostgreSQL then parses a few hundred bytes instead of the whole document.
    // The filter columns are read from the document (or from the changed fields) in SQL.
    const full: { id: string; version: number; updated_at: string | null; state: Record<string, unknown> }[] = [];
    const patched: { id: string; version: number; updated_at: string | null; changed: Record<string, unknown> }[] = [];
    for (const { streamId: id, state, previous, version, updatedAt } of rows) {
      const changed = previous && this.mergeChanges ? changedFields(previous, state, HISTORY_LISTS) : null;
      if (changed) patched.push({ id, version, updated_at: updatedAt ?? null, changed });
      else full.push({ id, version, updated_at: updatedAt ?? null, state: storedState(state) });
    }
    const ctes: string[] = [];
    if (full.length) {
      ctes.push(
        `contract_rows AS (
         INSERT INTO ${contracts} AS c (id, ${FILTER_SQL.names}, version, state, updated_at)
         SELECT x.id::uuid, ${FILTER_SQL.fromDocument}, x.version, x.state, coalesce(x.updated_at, now())
         FROM jsonb_to_recordset(${param(JSON.stringify(full))}::jsonb) AS x(id text, version int, updated_at timestamptz, state jsonb)
         WHERE x.id IN (SELECT stream_id FROM ${appended}) ORDER BY x.id COLLATE "C"
         ON CONFLICT (id) DO UPDATE SET ${FILTER_SQL.fromExcluded},
           version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at)`,
      );
    }
    if (patched.length) {
      ctes.push(
        `contract_patches AS (
         UPDATE ${contracts} c SET ${FILTER_SQL.fromChanged},
           version = x.version, state = c.state || x.changed, updated_at = coalesce(x.updated_at, now())
         FROM jsonb_to_recordset(${param(JSON.stringify(patched))}::jsonb) AS x(id text, version int, updated_at timestamptz, changed jsonb)
         WHERE c.id = ANY(${param(patched.map((p) => p.id))}::uuid[]) AND c.id = x.id::uuid AND x.id IN (SELECT stream_id FROM ${appended}))`,
      );
    }
    // Only the history entries the append adds: the lists only grow, so they are the tail.
    const history = rows.flatMap((w) =>
      RENEWAL_HISTORY.flatMap(({ outcome, list }) => {
        const before = w.previous?.[list].length ?? 0;
        return w.state[list].slice(before).map((entry, i) => ({ contract_id: w.streamId, outcome, seq: before + i + 1, invoice_id: entry.invoiceId, entry }));
      }),
    );
    if (history.length) {
      ctes.push(
        `renewal_rows AS (INSERT INTO ${renewals} (contract_id, outcome, seq, invoice_id, entry)
           SELECT x.contract_id::uuid, x.outcome, x.seq, x.invoice_id, x.entry
           FROM jsonb_to_recordset(${param(JSON.stringify(history))}::jsonb) AS x(contract_id text, outcome text, seq int, invoice_id text, entry jsonb)
           WHERE x.contract_id IN (SELECT stream_id FROM ${appended}) ORDER BY x.contract_id COLLATE "C", x.outcome, x.seq
           ON CONFLICT (contract_id, outcome, seq) DO NOTHING)`,
      );
    }
    return ctes;
  }
}

/** The contract's open clocks in the `deadlines` read model (DESIGN §3.9). */
export const contractDeadlines = (tables: ReadModelTables = LIVE_TABLES) =>
  new DeadlinesView<ContractState>({ streamType: CONTRACT_STREAM, handles: CONTRACT_CLOCK_EVENTS, clocksOf: openClocks, contractIdOf: (streamId) => streamId, table: tables.deadlines });

/** The contract stream type's read models, in the order they are written. */
export const contractProjections = (tables: ReadModelTables = LIVE_TABLES, mergeChanges = true): InlineProjection<ContractState>[] => [
  new ContractsView(tables, mergeChanges),
  contractDeadlines(tables),
];

/**
 * The top-level fields of `after` that are not those of `before`, but for `ignore` (the domain
 * builds a new state by copying the old one and replacing what changed, so an unchanged field is
 * the same object), or null when a field went away or is undefined: `||` can add and replace
 * fields, not remove them, so such a document is written whole.
 */
export function changedFields(before: object, after: object, ignore: ReadonlySet<string> = new Set()): Record<string, unknown> | null {
  const changed: Record<string, unknown> = {};
  const old = before as Record<string, unknown>;
  for (const key of Object.keys(old)) if (!(key in after)) return null;
  for (const [key, value] of Object.entries(after)) {
    if (value === undefined) return null;
    if (old[key] !== value && !ignore.has(key)) changed[key] = value;
  }
  return changed;
}
