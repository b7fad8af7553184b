import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DEADLINE_KINDS, fileTypeNamed, isCalendarInstant, isOverdue } from '#domain';
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

/** The inbox (DESIGN §3.9): read from the `deadlines` read model, earliest first. */
@Injectable()
export class DeadlineQueries {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

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
      (r) => ({ file: { type: r.stream_type, id: r.stream_id }, contractId: r.contract_id, kind: r.kind, dueAt: r.due_at.toISOString(), overdue: isOverdue(r.due_at.toISOString(), now.toISOString()) }),
      (last) => [last.due_at.toISOString(), last.stream_type, last.stream_id, last.kind],
    );
  }
}
