import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { clockOwner, CONTROLLER_CLOCK_KINDS, DEADLINE_KINDS, fileTypeNamed, isCalendarInstant, isOverdue } from '#domain';
import { DEADLINES_TABLE } from '#infra/event-store/deadlines-projection';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { type ListDeadlinesQuery } from './dto/list-deadlines.dto';
import { type InboxItemView } from './dto/views';

interface Cursor {
  readonly dueAt: string;
  readonly streamType: string;
  readonly streamId: string;
  readonly kind: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function parseCursor([dueAt, streamType, streamId, kind, ...rest]: unknown[]): Cursor | null {
  const type = typeof streamType === 'string' ? fileTypeNamed(streamType) : null;
  const valid =
    rest.length === 0 &&
    isCalendarInstant(dueAt) &&
    ISO_UTC.test(dueAt) &&
    new Date(dueAt).toISOString() === dueAt &&
    type !== null &&
    typeof streamId === 'string' &&
    type.idPattern.test(streamId) &&
    (DEADLINE_KINDS as readonly unknown[]).includes(kind);
  return valid ? { dueAt, streamType: type.name, streamId, kind: kind as string } : null;
}

/** One row of the browser's worklist: a clock, the contract's controller and reference, and the incident a breach notice belongs to. */
export interface WorkItem {
  readonly type: string;
  readonly fileId: string;
  readonly kind: string;
  readonly dueAt: string;
  readonly overdue: boolean;
  readonly whose: 'processor' | 'controller';
  readonly contractId: string | null;
  readonly controller: string | null;
  readonly reference: string | null;
  readonly incidentId: string | null;
  /** How many clocks the row stands for (one incident's notices, grouped), and how many of them are overdue. */
  readonly count: number;
  readonly overdueCount: number;
}

/** What the worklist shows: of one kind, of controllers whose name holds a text, overdue only. */
export interface WorkFilter {
  readonly kind?: string;
  readonly controller?: string;
  readonly overdue?: boolean;
}

const BREACH_NOTICES = fileTypeNamed('breach-notice')!.readModel.table;

/** The inbox (DESIGN §3.9): read from the `deadlines` read model, earliest first. */
@Injectable()
export class DeadlineQueries {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  /** What the processor has overdue now (its own clocks; the controller's deadlines are the controller's). */
  async overdueCount(now: Date = new Date()): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM ${DEADLINES_TABLE} WHERE due_at < $1 AND kind <> ALL($2::text[])`, [now.toISOString(), CONTROLLER_CLOCK_KINDS])) as { n: number }[];
    return row!.n;
  }

  /**
   * The browser's worklist: `limit` rows by due date that match `filter`, after the first `offset`. A row is one
   * clock, with the controller and reference of its contract; or, for the breach notices one
   * incident opened, one row per kind of clock — grouped in the database, so an incident of
   * thousands of notices is one row, not the page.
   */
  async worklist(filter: WorkFilter, limit: number, offset = 0, now: Date = new Date()): Promise<{ items: WorkItem[]; more: boolean }> {
    // Two parts, each cut at the page before they meet: every clock but the breach notices', in due
    // order straight from the index; and the breach notices' clocks, one row per incident and kind.
    const matches = (alias: string) => `($1::text IS NULL OR ${alias}.kind = $1)
            AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM contracts c WHERE c.id = ${alias}.contract_id AND strpos(lower(c.controller_name), lower($2)) > 0))
            AND (NOT $3 OR ${alias}.due_at < $4)`;
    const rows = (await this.dataSource.query(
      `WITH single AS (
         SELECT d.stream_type, d.stream_id, d.kind, d.due_at, d.contract_id, NULL::uuid AS incident_id, 1 AS count, (d.due_at < $4)::int AS overdue
           FROM ${DEADLINES_TABLE} d
          WHERE d.stream_type <> 'breach-notice' AND ${matches('d')}
          ORDER BY d.due_at, d.stream_type, d.stream_id, d.kind
          LIMIT $5::int + $6::int
       ), grouped AS (
         SELECT 'breach-notice'::text AS stream_type, (array_agg(d.stream_id ORDER BY d.due_at, d.stream_id))[1] AS stream_id, d.kind, min(d.due_at) AS due_at,
                (array_agg(d.contract_id ORDER BY d.due_at, d.stream_id))[1] AS contract_id, b.incident_id, count(*)::int AS count, (count(*) FILTER (WHERE d.due_at < $4))::int AS overdue
           FROM ${DEADLINES_TABLE} d
           JOIN ${BREACH_NOTICES} b ON b.id = d.stream_id::uuid
          WHERE d.stream_type = 'breach-notice' AND ${matches('d')}
          GROUP BY b.incident_id, d.kind
          ORDER BY 4, 2, 3
          LIMIT $5::int + $6::int
       )
       SELECT r.stream_type, r.stream_id, r.kind, r.due_at, r.contract_id::text AS contract_id, r.incident_id::text AS incident_id, r.count, r.overdue, c.controller_name, c.reference
         FROM (SELECT * FROM single UNION ALL SELECT * FROM grouped ORDER BY due_at, stream_type, stream_id, kind OFFSET $6::int LIMIT $5::int) r
         LEFT JOIN contracts c ON c.id = r.contract_id
        ORDER BY r.due_at, r.stream_type, r.stream_id, r.kind`,
      [filter.kind ?? null, filter.controller ?? null, filter.overdue ?? false, now.toISOString(), limit + 1, offset],
    )) as { stream_type: string; stream_id: string; kind: string; due_at: Date; contract_id: string | null; incident_id: string | null; count: number; overdue: number; controller_name: string | null; reference: string | null }[];
    const items = rows.slice(0, limit).map((r) => ({
      type: r.stream_type,
      fileId: r.stream_id,
      kind: r.kind,
      dueAt: r.due_at.toISOString(),
      overdue: isOverdue(r.due_at.toISOString(), now.toISOString()),
      whose: clockOwner(r.kind),
      contractId: r.contract_id,
      controller: r.controller_name,
      reference: r.reference,
      incidentId: r.incident_id,
      count: r.count,
      overdueCount: r.overdue,
    }));
    return { items, more: rows.length > limit };
  }

  async list(query: ListDeadlinesQuery, now: Date = new Date()): Promise<{ items: InboxItemView[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor ? readCursor(query.cursor, parseCursor) : null;
    const overdue = query.overdue === undefined ? null : query.overdue === 'true';
    const rows: { stream_type: string; stream_id: string; kind: string; due_at: Date; contract_id: string | null }[] = await this.dataSource.query(
      `SELECT stream_type, stream_id, kind, due_at, contract_id FROM ${DEADLINES_TABLE}
       WHERE ($1::timestamptz IS NULL OR due_at < $1)
         AND ($2::text IS NULL OR kind = $2)
         AND ($3::boolean IS NULL OR (due_at < $4) = $3)
         AND ($5::uuid IS NULL OR contract_id = $5)
         AND ($6::timestamptz IS NULL OR (due_at, stream_type, stream_id, kind) > ($6, $7::text COLLATE "C", $8::text COLLATE "C", $9::text))
       ORDER BY due_at, stream_type, stream_id, kind
       LIMIT $10`,
      [
        query.before ?? null,
        query.kind ?? null,
        overdue,
        now.toISOString(),
        query.contract?.toLowerCase() ?? null,
        after?.dueAt ?? null,
        after?.streamType ?? null,
        after?.streamId ?? null,
        after?.kind ?? null,
        limit + 1,
      ],
    );
    return toPage(
      rows,
      limit,
      (r) => ({ file: { type: r.stream_type, id: r.stream_id }, contractId: r.contract_id, kind: r.kind, dueAt: r.due_at.toISOString(), overdue: isOverdue(r.due_at.toISOString(), now.toISOString()), whose: clockOwner(r.kind) }),
      (last) => [last.due_at.toISOString(), last.stream_type, last.stream_id, last.kind],
    );
  }
}
