import type { Clock } from '#domain';
import { type InlineProjection, type ProjectionWrite } from './event-store';

export const DEADLINES_TABLE = 'deadlines';

/**
 * The `deadlines` read model (DESIGN §3.9, the inbox): one row per open clock of every file, keyed
 * by the file's stream and the clock's kind. Each stream type that has clocks registers one of
 * these with its rule (`clocksOf`) and the events that may change it (`handles`). An append writes
 * only the clocks that are new or moved, and deletes only those that closed: the rows hold the
 * previous state's clocks.
 */
export class DeadlinesView<S> implements InlineProjection<S> {
  readonly name: string;
  readonly streamType: string;
  readonly handles: ReadonlySet<string>;
  private readonly table: string;
  /** Each state's clocks, computed once: an append's new state is the next append's previous one. */
  private readonly computed = new WeakMap<object, readonly Clock[]>();

  constructor(
    private readonly rule: {
      readonly streamType: string;
      readonly handles: ReadonlySet<string>;
      readonly clocksOf: (state: S) => readonly Clock[];
      /** The contract the file belongs to, for `GET /deadlines?contract=`; null for a processor-wide file. */
      readonly contractIdOf: (streamId: string, state: S) => string | null;
      readonly table?: string;
    },
  ) {
    this.streamType = rule.streamType;
    this.handles = rule.handles;
    this.table = rule.table ?? DEADLINES_TABLE;
    this.name = `${rule.streamType} deadlines`;
  }

  private clocksOf(state: S): readonly Clock[] {
    if (typeof state !== 'object' || state === null) return this.rule.clocksOf(state);
    let clocks = this.computed.get(state);
    if (!clocks) {
      clocks = this.rule.clocksOf(state);
      this.computed.set(state, clocks);
    }
    return clocks;
  }

  writeCtes(writes: readonly ProjectionWrite<S>[], { param, appended }: { param: (value: unknown) => string; appended: string }): string[] {
    const set: { stream_id: string; kind: string; due_at: string; contract_id: string | null }[] = [];
    const gone: { stream_id: string; kind: string }[] = [];
    for (const w of writes) {
      const due = this.clocksOf(w.state);
      const before = w.previous === null ? [] : this.clocksOf(w.previous);
      const contractId = this.rule.contractIdOf(w.streamId, w.state);
      for (const d of due) if (!before.some((b) => b.kind === d.kind && b.at === d.at)) set.push({ stream_id: w.streamId, kind: d.kind, due_at: d.at, contract_id: contractId });
      for (const b of before) if (!due.some((d) => d.kind === b.kind)) gone.push({ stream_id: w.streamId, kind: b.kind });
    }
    const ctes: string[] = [];
    const cte = `${this.streamType.replace(/\W/g, '_')}_deadlines`;
    if (set.length) {
      ctes.push(
        `${cte}_set AS (INSERT INTO ${this.table} (stream_type, stream_id, kind, due_at, contract_id)
           SELECT ${param(this.streamType)}, x.stream_id, x.kind, x.due_at, x.contract_id::uuid
           FROM jsonb_to_recordset(${param(JSON.stringify(set))}::jsonb) AS x(stream_id text, kind text, due_at timestamptz, contract_id text)
           WHERE x.stream_id IN (SELECT stream_id FROM ${appended}) ORDER BY x.stream_id COLLATE "C", x.kind
           ON CONFLICT (stream_type, stream_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at, contract_id = EXCLUDED.contract_id)`,
      );
    }
    if (gone.length) {
      ctes.push(
        `${cte}_gone AS (DELETE FROM ${this.table} d USING jsonb_to_recordset(${param(JSON.stringify(gone))}::jsonb) AS x(stream_id text, kind text)
           WHERE d.stream_type = ${param(this.streamType)} AND d.stream_id = ANY(${param([...new Set(gone.map((g) => g.stream_id))])}::text[])
             AND d.stream_id = x.stream_id AND d.kind = x.kind AND x.stream_id IN (SELECT stream_id FROM ${appended}))`,
      );
    }
    return ctes;
  }
}
