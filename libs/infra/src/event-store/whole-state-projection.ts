import { DeadlinesView } from './deadlines-projection';
import { readModelColumns, type FileType } from '#domain';
import { type InlineProjection, type PendingEvent, type ProjectionWrite, type StreamState } from './event-store';

/*
 * The read model of a file type whose state is small: one row per file holding its whole state,
 * with a few columns of its own to query by, written in the append's own statement. Every file
 * type but the contract (whose document is merged field by field) uses these.
 */

export type Folding<S> = { evolve(state: S, event: never): S; upcast(stored: PendingEvent): unknown; initialState(): S };

/** A stream type whose state is kept whole in its read-model row. */
export class WholeStateSource<S> implements StreamState<S> {
  constructor(
    readonly streamType: string,
    readonly stateSql: string,
    private readonly stream: Folding<S>,
  ) {}

  fold(state: S | null, events: readonly PendingEvent[]): S {
    return events.reduce((s, e) => this.stream.evolve(s, this.stream.upcast(e) as never), state ?? this.stream.initialState());
  }
}

/**
 * One row per file with its whole state, upserted in the append's own statement: `columns` are
 * the row's own (besides id, version, state, updated_at), each with its SQL type and its value.
 */
export class WholeStateView<S> implements InlineProjection<S> {
  readonly handles = 'every event';

  constructor(
    readonly name: string,
    readonly streamType: string,
    private readonly table: string,
    private readonly columns: readonly { readonly name: string; readonly type: string; readonly of: (state: S) => unknown; readonly updatable: boolean }[],
    private readonly exists: (state: S) => boolean,
  ) {}

  writeCtes(writes: readonly ProjectionWrite<S>[], { param, appended }: { param: (value: unknown) => string; appended: string }): string[] {
    const rows = writes.flatMap(({ streamId, state, version, updatedAt }) =>
      this.exists(state) ? [{ id: streamId, version, updated_at: updatedAt ?? null, state, ...Object.fromEntries(this.columns.map((c) => [c.name, c.of(state)])) }] : [],
    );
    if (!rows.length) return [];
    const names = this.columns.map((c) => c.name);
    const casts = this.columns.map((c) => `x.${c.name}${c.type === 'uuid' ? '::uuid' : ''}`);
    const types = this.columns.map((c) => `${c.name} ${c.type === 'uuid' ? 'text' : c.type}`);
    const updates = this.columns.filter((c) => c.updatable).map((c) => `${c.name} = EXCLUDED.${c.name}`);
    return [
      `${this.table}_rows AS (
         INSERT INTO ${this.table} AS r (id, ${names.join(', ')}, version, state, updated_at)
         SELECT x.id::uuid, ${casts.join(', ')}, x.version, x.state, coalesce(x.updated_at, now())
         FROM jsonb_to_recordset(${param(JSON.stringify(rows))}::jsonb)
           AS x(id text, ${types.join(', ')}, version int, updated_at timestamptz, state jsonb)
         WHERE x.id IN (SELECT stream_id FROM ${appended}) ORDER BY x.id COLLATE "C"
         ON CONFLICT (id) DO UPDATE SET ${[...updates, 'version = EXCLUDED.version', 'state = EXCLUDED.state', 'updated_at = EXCLUDED.updated_at'].join(', ')})`,
    ];
  }
}


/**
 * The read model of a declared file type (FileType.readModel): one row per file in its table
 * (id, contract_id under a contract, status, the instant it is listed by, its own columns,
 * version, state), and its clocks in the inbox (`deadlines`) when it has any.
 */
export function fileReadModel<S extends { readonly status: string }>(type: FileType<S>, tables: { readonly deadlines?: string; readonly rows?: string } = {}): { readonly source: WholeStateSource<S>; readonly projections: InlineProjection<S>[] } {
  const model = type.readModel;
  if ('custom' in model) throw new Error(`the ${type.name} read model is its own`);
  const table = tables.rows ?? model.table;
  const exists = (s: S) => s.status !== 'none';
  // The columns the domain's pure read model names (readModelColumns): what a projection's spec states is what is written.
  const view = new WholeStateView<S>(type.noun, type.name, table, readModelColumns(type), exists);
  const clocks = type.clocks;
  const deadlines = clocks
    ? [new DeadlinesView<S>({ streamType: type.name, handles: clocks.handles, clocksOf: (s) => clocks.of(s), contractIdOf: (_, s) => (exists(s) && type.parentIdOf && type.parent === 'contract' ? type.parentIdOf(s) : null), table: tables.deadlines })]
    : [];
  return { source: new WholeStateSource<S>(type.name, `SELECT r.state, r.version FROM ${table} r WHERE r.id = $1::uuid`, type.stream as unknown as Folding<S>), projections: [view, ...deadlines] };
}
