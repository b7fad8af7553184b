import { evolve, initialState, upcast, upcomingDeadlines, type ContractState, type Deadline } from '../../../domain/src';
import { type InlineProjection, type PendingEvent } from './event-store';

export const CONTRACT_STREAM = 'contract';

export interface ReadModelTables {
  readonly contracts: string;
  readonly deadlines: string;
}

export const LIVE_TABLES: ReadModelTables = { contracts: 'contracts', deadlines: 'deadlines' };

/** Folds stored events into the domain state, upcasting older schema versions on the way. */
export function foldEvents(events: readonly Pick<PendingEvent, 'type' | 'schemaVersion' | 'data'>[], state: ContractState = initialState()): ContractState {
  return events.reduce((s, e) => evolve(s, upcast({ type: e.type, schemaVersion: e.schemaVersion, data: e.data })), state);
}

/**
 * The `contracts` read model (the domain state, with the columns the API filters on; the
 * DESIGN §6 representation is a pure function of the state) and the `deadlines` read model.
 * `updated_at` is the time the last event was recorded, so a rebuild reproduces rows exactly.
 */
export class ContractProjection implements InlineProjection<ContractState> {
  readonly streamType = CONTRACT_STREAM;
  readonly stateSql: string;

  constructor(private readonly tables: ReadModelTables = LIVE_TABLES) {
    this.stateSql = `SELECT state, version FROM ${tables.contracts} WHERE id = $1::uuid`;
  }

  fold(state: ContractState | null, events: readonly PendingEvent[]): ContractState {
    return foldEvents(events, state ?? initialState());
  }

  writeCtes(
    contractId: string,
    state: ContractState,
    version: number,
    { param, when, updatedAt = null, previous = null }: { param: (value: unknown) => string; when: string; updatedAt?: string | null; previous: ContractState | null },
  ): string[] {
    if (state.status === 'none') return [];
    const { contracts, deadlines } = this.tables;
    const id = param(contractId);
    const due = upcomingDeadlines(state);
    const at = updatedAt === null ? 'now()' : `${param(updatedAt)}::timestamptz`;
    const contractRow = 
      `contract_row AS (
         INSERT INTO ${contracts} AS c (id, reference, status, controller_name, controller_email, ordered_at, term_end, ended_at,
                                        destruction_status, destruction_deadline, version, state, updated_at)
         SELECT ${id}::uuid, ${param(state.reference)}, ${param(state.status)}, ${param(state.controller.name)}, ${param(state.controller.email)},
                ${param(state.orderedAt)}::timestamptz, ${param(state.termEnd)}::timestamptz, ${param(state.endedAt)}::timestamptz,
                ${param(state.destruction.status)}, ${param(state.destruction.deadline)}::timestamptz, ${param(version)}::int,
                ${param(JSON.stringify(state))}::jsonb, ${at}
         WHERE ${when}
         ON CONFLICT (id) DO UPDATE SET reference = EXCLUDED.reference, status = EXCLUDED.status,
           controller_name = EXCLUDED.controller_name, controller_email = EXCLUDED.controller_email,
           ordered_at = EXCLUDED.ordered_at, term_end = EXCLUDED.term_end, ended_at = EXCLUDED.ended_at,
           destruction_status = EXCLUDED.destruction_status, destruction_deadline = EXCLUDED.destruction_deadline,
           version = EXCLUDED.version, state = EXCLUDED.state, updated_at = EXCLUDED.updated_at)`;
    // Most events leave the deadlines as they were: then there is nothing to write.
    if (previous && previous.status !== 'none' && sameDeadlines(upcomingDeadlines(previous), due)) return [contractRow];
    const kinds = param(due.map((d) => d.kind));
    return [
      contractRow,
      `deadlines_gone AS (DELETE FROM ${deadlines} WHERE contract_id = ${id}::uuid AND NOT (kind = ANY(${kinds}::text[])) AND ${when})`,
      `deadlines_set AS (
         INSERT INTO ${deadlines} (contract_id, kind, due_at)
         SELECT ${id}::uuid, d.kind, d.due_at FROM unnest(${kinds}::text[], ${param(due.map((d) => d.at))}::timestamptz[]) AS d(kind, due_at)
         WHERE ${when}
         ON CONFLICT (contract_id, kind) DO UPDATE SET due_at = EXCLUDED.due_at)`,
    ];
  }

  /** Writes one contract's rows outside an append (projection rebuild). */
  async write(db: { query(sql: string, params?: unknown[]): Promise<unknown> }, contractId: string, state: ContractState, version: number, updatedAt: string): Promise<void> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const ctes = this.writeCtes(contractId, state, version, { param, when: 'TRUE', updatedAt, previous: null });
    if (ctes.length) await db.query(`WITH ${ctes.join(',\n')} SELECT 1`, params);
  }
}

function sameDeadlines(a: readonly Deadline[], b: readonly Deadline[]): boolean {
  return a.length === b.length && a.every((d, i) => d.kind === b[i]!.kind && d.at === b[i]!.at);
}
