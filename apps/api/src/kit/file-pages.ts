import { type DataSource } from 'typeorm';
import { CANONICAL_UUID, isCalendarInstant } from '../../../../libs/domain/src';
import { DEFAULT_PAGE, readCursor, toPage } from '../common/pagination';

/** A read-model table of files under a contract: id, contract_id, received_at, state. */
export type ContractFileTable = 'subject_requests' | 'instructions' | 'transfer_notices' | 'assistance_requests' | 'audits';

/**
 * One page of a contract's files of one type, oldest receipt first, cursor-paginated: the list
 * every file type under a contract answers (`GET /contracts/{id}/<files>`).
 */
export async function contractFilesPage<S, V>(
  dataSource: DataSource,
  table: ContractFileTable,
  contractId: string,
  query: { limit?: number; cursor?: string },
  view: (state: S) => V,
): Promise<{ items: V[]; nextCursor: string | null }> {
  const limit = query.limit ?? DEFAULT_PAGE;
  const after = query.cursor
    ? readCursor(query.cursor, ([receivedAt, id, ...rest]) => (rest.length === 0 && isCalendarInstant(receivedAt) && typeof id === 'string' && CANONICAL_UUID.test(id) ? { receivedAt, id } : null))
    : null;
  const rows = (await dataSource.query(
    `SELECT id, received_at, state FROM ${table}
     WHERE contract_id = $1 AND ($2::timestamptz IS NULL OR (received_at, id) > ($2, $3::uuid))
     ORDER BY received_at, id LIMIT $4`,
    [contractId, after?.receivedAt ?? null, after?.id ?? null, limit + 1],
  )) as { id: string; received_at: Date; state: S }[];
  return toPage(rows, limit, (r) => view(r.state), (last) => [last.received_at.toISOString(), last.id]);
}
