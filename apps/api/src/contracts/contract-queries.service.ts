import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CANONICAL_UUID, isCalendarInstant, type ContractState } from '#domain';
import { contractStateSql } from '#infra/event-store/contract-projection';
import { createEventStore } from '#infra/event-store/streams';
import { type EventStore, type RecordedEvent, type VerifyResult } from '#infra/event-store/event-store';
import { type ContractSnapshot } from '#infra/temporal/messages';
import { ApiError } from '../common/api-error';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';
import { type ListContractsQuery } from './dto/list-contracts.dto';

interface Cursor {
  readonly orderedAt: string;
  readonly id: string;
}

function parseCursor([orderedAt, id, ...rest]: unknown[]): Cursor | null {
  return rest.length === 0 && isCalendarInstant(orderedAt) && typeof id === 'string' && CANONICAL_UUID.test(id) ? { orderedAt, id } : null;
}

/** Reads from the read models (and the event store for the audit trail); never from Temporal. */
@Injectable()
export class ContractQueries {
  private readonly store: EventStore;

  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {
    this.store = createEventStore(dataSource);
  }

  async snapshot(contractId: string): Promise<ContractSnapshot | null> {
    const rows: { state: ContractState; version: number }[] = await this.dataSource.query(
      `SELECT ${contractStateSql('c')} AS state, c.version FROM contracts c WHERE c.id = $1`,
      [contractId],
    );
    return rows[0] ? { state: rows[0].state, version: rows[0].version } : null;
  }

  /** The contract's snapshot, or 404. */
  async found(contractId: string): Promise<ContractSnapshot> {
    const snapshot = await this.snapshot(contractId);
    if (!snapshot) throw new ApiError(404, 'not_found', 'No such contract.');
    return snapshot;
  }

  async list(query: ListContractsQuery): Promise<{ items: ContractState[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE;
    const after = query.cursor ? readCursor(query.cursor, parseCursor) : null;
    const controller = query.controller?.toLowerCase() ?? null;
    const rows: { id: string; ordered_at: Date; state: ContractState }[] = await this.dataSource.query(
      `SELECT c.id, c.ordered_at, ${contractStateSql('c')} AS state FROM contracts c
       WHERE ($1::text IS NULL OR status = $1)
         AND ($2::text IS NULL OR lower(controller_name) LIKE '%' || $3 || '%' ESCAPE '\\' OR lower(controller_email) = $2)
         AND ($4::timestamptz IS NULL OR term_end < $4)
         AND ($5::timestamptz IS NULL OR destruction_deadline < $5)
         AND ($6::timestamptz IS NULL OR (ordered_at, id) > ($6, $7::uuid))
         AND ($9::text IS NULL OR lower(reference) LIKE $9 || '%' ESCAPE '\\')
       ORDER BY ordered_at, id
       LIMIT $8`,
      [
        query.status ?? null,
        controller,
        controller?.replace(/[\\%_]/g, (c) => `\\${c}`) ?? null,
        query.termEndsBefore ?? null,
        query.destructionDueBefore ?? null,
        after?.orderedAt ?? null,
        after?.id ?? null,
        limit + 1,
        query.reference?.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`) ?? null,
      ],
    );
    return toPage(
      rows,
      limit,
      (r) => r.state,
      (last) => [last.ordered_at.toISOString(), last.id],
    );
  }

  events(contractId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(contractId);
  }

  verify(contractId: string): Promise<VerifyResult> {
    return this.store.verify(contractId);
  }
}
